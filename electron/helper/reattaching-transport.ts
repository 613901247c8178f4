import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { goneWord } from './helper-attach.js';
import type { HelperLink, HelperTransport } from './helper-client.js';

/** An exec channel as the nodes capability gives it (declared here: the helper knows no capability). */
export interface HelperChannel {
  write(text: string): void;
  onStdout(listener: (chunk: Buffer) => void): void;
  onStderr(listener: (chunk: Buffer) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

export interface ReattachOptions {
  host: string;
  /** A bridge to the helper's socket asking for everything after `after` (the first, also starting the helper). */
  open(after: number): Promise<HelperChannel>;
  /** How long a console keeps trying to reach a helper it lost (the helper lingers as long before giving up on it). */
  reattachMs: number;
  /** The pool's backoff skipped: the caller retries on its own schedule. */
  retryNow?(): void;
  /** A console that restarted attaches to a helper an earlier one started: replayed from after this number (default 0). */
  startAfter?: number;
}

type Peeked = { type?: unknown; id?: unknown; seq?: unknown; session?: { oldest?: unknown } };

/** Enough of a line to route it (the client checks the whole message against the protocol). */
function peek(line: string): Peeked | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Peeked) : null;
  } catch {
    return null;
  }
}

/** Milliseconds between attempts to reach the host again: at once, then growing to 10 s. */
const retryDelays = [0, 1_000, 2_000, 4_000, 8_000, 10_000];

/**
 * A detached helper's connection, as one HelperTransport that outlives its
 * SSH channels: when a channel closes the transport re-attaches, asks for
 * what it missed (by sequence number, dropping what it saw already), sends
 * again the calls still unanswered (the helper ignores ids it has seen),
 * and says so to link listeners: the gap is shown, no line is lost.
 */
export async function reattachingTransport(options: ReattachOptions): Promise<HelperTransport> {
  const stdoutListeners: ((line: string) => void)[] = [];
  const stderrListeners: ((line: string) => void)[] = [];
  const linkListeners: ((link: HelperLink) => void)[] = [];
  /** Calls written and not yet answered, by id: sent again after a re-attach. */
  const unanswered = new Map<number, string>();
  /** Other messages written while no channel is open (cancels). */
  let queued: string[] = [];
  let lastSeq = options.startAfter ?? 0;
  /** When the channel in use was lost (null: none lost, or back since). */
  let lostAt: number | null = null;
  let channel: HelperChannel | null = null;
  let everReady = false;
  let closing = false;
  let resolveGone!: (why: string) => void;
  const gone = new Promise<string>((resolve) => {
    resolveGone = resolve;
  });
  let isGone = false;
  const end = (why: string) => {
    if (isGone) return;
    isGone = true;
    resolveGone(why);
  };

  const onLine = (line: string, message: Peeked | null) => {
    if (!message) return;
    if (typeof message.seq === 'number') {
      if (message.seq <= lastSeq) return;
      lastSeq = message.seq;
    }
    if (message.type === 'result' && typeof message.id === 'number') unanswered.delete(message.id);
    if (message.type === 'ready') {
      if (everReady) return;
      everReady = true;
    }
    stdoutListeners.forEach((listener) => listener(line));
  };

  type Closed = { helperGone: string | null };

  /** One channel: `answered` once the helper's ready line came through it (it is then the channel in use), `closed` when it closes. */
  function use(opened: HelperChannel): { answered: Promise<boolean>; closed: Promise<Closed> } {
    const out = new PassThrough();
    const err = new PassThrough();
    let helperGone: string | null = null;
    let answer!: (yes: boolean) => void;
    const answered = new Promise<boolean>((resolve) => {
      answer = resolve;
    });
    createInterface({ input: out }).on('line', (line) => {
      const message = peek(line);
      if (channel !== opened && message?.type === 'ready') {
        channel = opened;
        if (everReady && lostAt !== null) {
          // Said here, before the first replayed line is handed on: the log reads lost, back, then what it missed.
          const oldest = message.session?.oldest;
          const missed = typeof oldest === 'number' ? Math.max(0, oldest - lastSeq - 1) : 0;
          const back: HelperLink = { state: 'back', host: options.host, at: Date.now(), seq: lastSeq, gapMs: Date.now() - lostAt, ...(missed > 0 ? { missed } : {}) };
          lostAt = null;
          linkListeners.forEach((listener) => listener(back));
        }
        // Sent again in the order first sent; then what waited for a channel.
        for (const [, text] of [...unanswered].sort(([a], [b]) => a - b)) opened.write(text);
        const waiting = queued;
        queued = [];
        waiting.forEach((text) => opened.write(text));
        answer(true);
      }
      onLine(line, message);
    });
    const errLines = createInterface({ input: err });
    errLines.on('line', (line) => {
      if (line.startsWith(goneWord)) helperGone = line.slice(goneWord.length).replace(/^:\s*/, '');
      stderrListeners.forEach((listener) => listener(line));
    });
    const errDone = new Promise((resolve) => errLines.once('close', resolve));
    opened.onStdout((chunk) => out.write(chunk));
    opened.onStderr((chunk) => err.write(chunk));
    const closed = new Promise<Closed>((resolve) =>
      opened.onClose(() => {
        if (channel === opened) channel = null;
        out.end();
        err.end();
        // Every line it wrote is read first: the last result, and the bridge's last words.
        void Promise.all([finished(out).catch(() => undefined), errDone]).then(() => {
          answer(false);
          resolve({ helperGone });
        });
      }),
    );
    return { answered, closed };
  }

  async function watch(first: Promise<Closed>): Promise<void> {
    let closed = await first;
    while (!closing) {
      if (closed.helperGone !== null) return end(`the helper on ${options.host} is gone (${closed.helperGone})`);
      if (!everReady) return end(`its SSH channel to ${options.host} closed before the helper answered`);
      const since = Date.now();
      lostAt = since;
      linkListeners.forEach((listener) => listener({ state: 'lost', host: options.host, at: since, seq: lastSeq }));
      const next = await reattach(since);
      if (next === null) return end(`${options.host} could not be reached for ${Math.round(options.reattachMs / 1000)} s after the connection dropped`);
      if ('helperGone' in next) {
        closed = next;
        continue;
      }
      closed = await next.closed;
    }
    end('closed by this console');
  }

  /** Attempts until a bridge answers (its channel) or says the helper is gone (why), or the time is up (null). */
  async function reattach(since: number): Promise<{ closed: Promise<Closed> } | Closed | null> {
    for (let attempt = 0; Date.now() - since < options.reattachMs && !closing; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, retryDelays[Math.min(attempt, retryDelays.length - 1)]));
      options.retryNow?.();
      let opened: HelperChannel;
      try {
        opened = await options.open(lastSeq);
      } catch {
        continue; // the host is not back yet
      }
      const { answered, closed } = use(opened);
      if (await answered) return { closed };
      const result = await closed;
      if (result.helperGone !== null) return result;
    }
    return null;
  }

  void watch(use(await options.open(lastSeq)).closed);

  return {
    write(text) {
      const message = peek(text);
      if (!message) return;
      if (message.type === 'call' && typeof message.id === 'number') unanswered.set(message.id, text);
      if (channel) channel.write(text);
      else if (message.type !== 'call') queued.push(text);
    },
    end() {
      if (channel) {
        // The helper releases its builds and exits; its socket closing ends the bridge and the channel.
        channel.write(`${JSON.stringify({ type: 'close' })}\n`);
        closing = true;
        return;
      }
      closing = true;
      end(`closed by this console while ${options.host} was unreachable: its helper releases its builds once it has waited for a console`);
    },
    onStdoutLine: (listener) => void stdoutListeners.push(listener),
    onStderrLine: (listener) => void stderrListeners.push(listener),
    onLink: (listener) => {
      linkListeners.push(listener);
      return () => {
        const at = linkListeners.indexOf(listener);
        if (at >= 0) linkListeners.splice(at, 1);
      };
    },
    gone,
    lastSeq: () => lastSeq,
    kill() {
      closing = true;
      channel?.close();
      end('killed by this console');
    },
    leave() {
      // No `close` said: the helper goes on, waiting its linger time for a console to attach.
      closing = true;
      channel?.close();
      end('left running by this console');
    },
    pid: undefined,
  };
}
