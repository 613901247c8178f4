import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ResultPromise } from 'execa';
import { FromHelper, helperOps, type HelperArgs, type HelperOp, type HelperResult, type JobArgs } from './helper-protocol.js';

export type Elevation = 'root' | 'sudo' | 'pkexec';

export interface HelperLog {
  stream: 'out' | 'err' | 'info';
  text: string;
  /** A detached helper's number for it: a console that restarted skips what its log already holds. */
  seq?: number;
}

/** A detached helper's connection dropping (`lost`) and coming back (`back`, after `gapMs`): builds on it say so in their logs. */
export interface HelperLink {
  state: 'lost' | 'back';
  host: string;
  at: number;
  /** The last sequence number received: what follows a `back` is replayed from there. */
  seq: number;
  gapMs?: number;
  /** Messages the helper no longer kept when it was reached again (it keeps the last 200,000): not replayed. */
  missed?: number;
}

export interface CallHandle<T> {
  result: Promise<T>;
  cancel(): void;
}

export interface HelperClient {
  readonly namespaced: boolean;
  /**
   * One operation; its result is checked against the protocol before it is handed over. `id`: one taken
   * with `reserveId`, or one an earlier console used on the same detached helper (its answer, replayed, is this call's).
   */
  call<O extends HelperOp>(op: O, args: HelperArgs<O>, onLog?: (log: HelperLog) => void, id?: number): CallHandle<HelperResult<O>>;
  /** The id the next call will use, taken now: noted by a build before the call is sent (build-checkpoint.ts). */
  reserveId(): number;
  /** The sequence number of the last message a detached helper said to this client (0 for a local helper). */
  lastSeq(): number;
  /** Resolves when the helper is gone, with why. */
  readonly exited: Promise<string>;
  close(): Promise<void>;
  /** For fault tests: the helper's process, to kill outright. */
  readonly pid: number | undefined;
  /** A detached helper's connection events; the unsubscribe. */
  onLink?(listener: (link: HelperLink) => void): () => void;
  /** What a detached helper released at its start (builds of sessions whose helper died), `<build id>: …` lines. */
  readonly recoveredAtStart?: readonly string[];
  /** A detached helper's session on its host. */
  readonly session?: string;
  /** The oldest message number a detached helper could still replay when this client attached. */
  readonly oldestKept?: number;
  /** A detached helper's connection closed without telling it to close: it goes on, and a later console attaches to it. */
  leave?(): void;
}

export interface StartHelperOptions {
  script: string;
  workspace: string;
  /** Where builds may publish artifacts (the spec's output dir must be under one). */
  outputRoots: readonly string[];
  elevation: Elevation;
}

/**
 * Private mount and pid namespaces: the helper's mounts exist only inside them,
 * and when the helper dies the kernel kills everything it started and drops
 * the mounts; loop devices left in autoclear go with the last unmount.
 */
export function helperCommand(options: StartHelperOptions, node = process.execPath): [string, string[]] {
  const roots = options.outputRoots.flatMap((root) => ['--output-root', root]);
  const inner = ['unshare', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', node, options.script, '--workspace', options.workspace, ...roots, '--namespaced'];
  switch (options.elevation) {
    case 'root':
      return [inner[0]!, inner.slice(1)];
    case 'sudo':
      return ['sudo', ['-n', ...inner]];
    case 'pkexec':
      return ['pkexec', inner];
  }
}

/**
 * An operation on one job: the job's id goes in as the operation's `buildId`.
 * (TypeScript cannot see through the generic that the arguments without the id,
 * plus the id, are the operation's arguments: this is the one place that says so.)
 */
export function callForJob<O extends HelperOp>(helper: HelperClient, jobId: string, op: O, args: JobArgs<O>, onLog?: (log: HelperLog) => void, id?: number): CallHandle<HelperResult<O>> {
  return helper.call(op, { ...args, buildId: jobId } as HelperArgs<O>, onLog, id);
}

/**
 * A helper process as the client sees it, wherever it runs: lines in, lines
 * out. Local (a child process) and remote (an SSH exec channel) helpers differ
 * only here; the protocol spoken over it is the same code.
 */
export interface HelperTransport {
  write(text: string): void;
  /** End the helper's stdin: it releases what it holds and exits. */
  end(): void;
  onStdoutLine(listener: (line: string) => void): void;
  onStderrLine(listener: (line: string) => void): void;
  /** Resolves with why, when the helper (or its channel) is gone. */
  readonly gone: Promise<string>;
  kill(): void;
  readonly pid: number | undefined;
  /** A transport that outlives its connections (reattaching-transport.ts) reports them. */
  onLink?(listener: (link: HelperLink) => void): () => void;
  /** Its last sequence number seen (a detached helper's). */
  lastSeq?(): number;
  /** Closes the connection only (a detached helper's): the helper goes on. */
  leave?(): void;
}

/** Messages kept for calls an earlier console made, until this console's build asks for them (or this many, then no more). */
const maxEarlierMessages = 200_000;

export async function startHelper(options: StartHelperOptions): Promise<HelperClient> {
  const [file, args] = helperCommand(options);
  // execa (about 150 files) is loaded only when a helper starts: a cache-hit build starts none.
  const { execa } = await import('execa');
  mkdirSync(options.workspace, { recursive: true });
  // Its working directory is the workspace: nothing a tool reads relative to it can be the operator's files.
  const child: ResultPromise = execa(file, args, { cwd: options.workspace, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: true });
  // Writing to a helper that just died fails asynchronously; the exit reports it.
  child.stdin!.on('error', () => undefined);
  return speakHelper({
    write: (text) => void child.stdin!.write(text),
    end: () => void child.stdin!.end(),
    onStdoutLine: (listener) => void createInterface({ input: child.stdout! }).on('line', listener),
    onStderrLine: (listener) => void createInterface({ input: child.stderr! }).on('line', listener),
    gone: child.then((result) => (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`)),
    kill: () => void child.kill('SIGKILL'),
    pid: child.pid,
  });
}

/** The JSON-lines protocol over a started helper: waits for `ready` (as root), then calls and results by id. */
export async function speakHelper(transport: HelperTransport, options: { firstId?: number } = {}): Promise<HelperClient> {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; onLog?: (log: HelperLog) => void }>();
  let nextId = options.firstId ?? 1;
  /**
   * Ids below this were sent by an earlier console to the same detached helper: their replayed messages are
   * kept here until a resumed build makes the same call again (build-pipeline.ts).
   */
  let firstOwn = 1;
  const earlier = new Map<number, { logs: HelperLog[]; result: Extract<FromHelper, { type: 'result' }> | null }>();
  let earlierCount = 0;
  const logOf = (message: Extract<FromHelper, { type: 'log' }>): HelperLog => ({ stream: message.stream, text: message.text, ...(message.seq === undefined ? {} : { seq: message.seq }) });
  /** A call's result: its waiter settled (the value checked against the protocol), and forgotten. */
  const answered = (id: number, message: Extract<FromHelper, { type: 'result' }>) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(Object.assign(new Error(message.error), { cancelled: message.cancelled }));
  };
  let stderrTail: string[] = [];
  /** Why the helper is gone, once it is: later calls fail at once instead of waiting forever. */
  let gone: Error | null = null;

  const exited = transport.gone.then((why) => {
    const detail = stderrTail.join(' | ');
    gone = new Error(`the build helper exited (${why})${detail ? `: ${detail}` : ''}`);
    for (const waiter of pending.values()) waiter.reject(gone);
    pending.clear();
    return why;
  });

  transport.onStderrLine((line) => {
    stderrTail = [...stderrTail, line].slice(-5);
  });

  const ready = new Promise<{ namespaced: boolean; recovered: readonly string[]; session: string | undefined; oldest: number | undefined }>((resolve, reject) => {
    void exited.then((why) => reject(new Error(`the build helper did not start (${why}): ${stderrTail.join(' | ') || 'no message'}`)));
    transport.onStdoutLine((line) => {
      let message: FromHelper;
      try {
        message = FromHelper.parse(JSON.parse(line));
      } catch {
        return;
      }
      if (message.type === 'ready') {
        firstOwn = nextId = Math.max(nextId, (message.session?.lastCall ?? 0) + 1);
        if (message.uid !== 0) reject(new Error(`the build helper runs as uid ${message.uid}, not root`));
        else resolve({ namespaced: message.namespaced, recovered: message.session?.recovered ?? [], session: message.session?.id, oldest: message.session?.oldest });
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) {
        if (message.id < firstOwn && earlierCount < maxEarlierMessages) {
          const kept = earlier.get(message.id) ?? { logs: [], result: null };
          earlier.set(message.id, kept);
          earlierCount += 1;
          if (message.type === 'log') kept.logs.push(logOf(message));
          else kept.result = message;
        }
        return;
      }
      if (message.type === 'log') waiter.onLog?.(logOf(message));
      else answered(message.id, message);
    });
  });
  // pkexec may wait for the operator; a helper that never says it is ready is given up on.
  const timeout = setTimeout(() => transport.kill(), 120_000);
  const { namespaced, recovered, session, oldest } = await ready.catch((error: unknown) => {
    transport.kill();
    throw error;
  }).finally(() => clearTimeout(timeout));

  const write = (message: unknown) => transport.write(`${JSON.stringify(message)}\n`);

  return {
    namespaced,
    pid: transport.pid,
    exited,
    recoveredAtStart: recovered,
    ...(session === undefined ? {} : { session }),
    ...(oldest === undefined ? {} : { oldestKept: oldest }),
    ...(transport.leave ? { leave: () => transport.leave!() } : {}),
    ...(transport.onLink ? { onLink: transport.onLink.bind(transport) } : {}),
    reserveId: () => nextId++,
    lastSeq: () => transport.lastSeq?.() ?? 0,
    call<O extends HelperOp>(op: O, args: HelperArgs<O>, onLog?: (log: HelperLog) => void, given?: number): CallHandle<HelperResult<O>> {
      const id = given ?? nextId++;
      if (gone) return { result: Promise.reject(gone), cancel: () => undefined };
      const result = new Promise<HelperResult<O>>((resolve, reject) => {
        const settle = (value: unknown) => {
          const checked = helperOps[op].result.safeParse(value);
          if (checked.success) resolve(checked.data as HelperResult<O>);
          else reject(new Error(`the build helper answered ${op} with an unexpected result: ${checked.error.issues.map((i) => `${i.path.join('.') || 'result'} ${i.message}`).join('; ')}`));
        };
        pending.set(id, { resolve: settle, reject, ...(onLog ? { onLog } : {}) });
      });
      // An earlier console's call, made again by its resumed build: what the helper said of it so far is this call's.
      const replayed = earlier.get(id);
      earlier.delete(id);
      earlierCount -= replayed ? replayed.logs.length + (replayed.result ? 1 : 0) : 0;
      replayed?.logs.forEach((log) => onLog?.(log));
      if (replayed?.result) answered(id, replayed.result);
      // Sent even when an earlier console sent it: a helper that saw the id ignores it and answers once done.
      else write({ type: 'call', id, op, args });
      return { result, cancel: () => write({ type: 'cancel', id }) };
    },
    async close() {
      transport.end();
      await exited;
    },
  };
}
