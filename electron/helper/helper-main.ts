import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { execaRunner, type Runner } from '../process/runner.js';
import { buildsOfSessions, releaseAll, type OpenBuild } from './build-registry.js';
import { runAttach } from './helper-attach.js';
import { ops } from './helper-ops.js';
import { deadSessions, openSession, type HelperSession } from './helper-session.js';
import type { OpContext } from './op-context.js';
import { FromHelper, helperOps, sessionId, ToHelper, type HelperOp } from './helper-protocol.js';
import { Workspace } from './workspace.js';

/**
 * The privileged build helper: started by Slipway (through unshare, and sudo or
 * pkexec when Slipway is not root), it runs only the operations of
 * helper-protocol.ts. When Slipway goes away (stdin closes) it releases every
 * build it holds and exits; if it is killed outright, its private mount and
 * pid namespaces die with it and the journals cover the rest.
 *
 * On a build host it runs detached instead (`--session`, helper-session.ts):
 * its connection can drop and come back; nobody attached for `--linger-seconds`
 * is the same as stdin closing. `--attach` is the bridge to such a helper.
 */

const { values } = parseArgs({
  options: {
    workspace: { type: 'string' },
    'output-root': { type: 'string', multiple: true, default: [] },
    namespaced: { type: 'boolean', default: false },
    session: { type: 'string' },
    'linger-seconds': { type: 'string', default: '900' },
    attach: { type: 'string' },
    after: { type: 'string', default: '0' },
    'wait-ms': { type: 'string', default: '0' },
  },
});

function fail(text: string): never {
  process.stderr.write(`build helper: ${text}\n`);
  process.exit(2);
}

if (values.attach !== undefined) {
  const after = Number(values.after);
  if (!values.attach.startsWith('/') || !Number.isInteger(after) || after < 0) fail('--attach needs an absolute socket path and --after a sequence number');
  runAttach(values.attach, after, Math.min(Number(values['wait-ms']) || 0, 120_000));
} else {
  await serve();
}

async function serve(): Promise<void> {
  if (!values.workspace?.startsWith('/')) fail('--workspace must be an absolute path');
  const session = values.session === undefined ? null : sessionId.safeParse(values.session);
  if (session && !session.success) fail('--session is not a session id');
  const lingerMs = Number(values['linger-seconds']) * 1000;
  if (!Number.isFinite(lingerMs) || lingerMs <= 0) fail('--linger-seconds must be a positive number');

  // Canonical from the start: losetup, mountinfo and /proc report real paths, and they are compared with ours.
  mkdirSync(values.workspace, { recursive: true, mode: 0o755 });
  const workspace = new Workspace(realpathSync(values.workspace));
  const builds = new Map<string, OpenBuild>();
  // Set by sudo and pkexec to the user who asked; a helper Slipway started as root runs for root.
  const elevatedFor = Number(process.env.SUDO_UID ?? process.env.PKEXEC_UID ?? process.getuid?.() ?? 0);
  const operatorUid = Number.isInteger(elevatedFor) && elevatedFor >= 0 ? elevatedFor : 0;
  const running = new Map<number, AbortController>();
  const sessionName = session?.data;
  const context = (signal: AbortSignal, log: (text: string, stream?: 'out' | 'err' | 'info') => void): OpContext => {
    const run: Runner = (file, argv, options) => execaRunner(file, argv, { ...options, signal, onLine: (stream, text) => log(text, stream) });
    return { workspace, outputRoots: values['output-root'], operatorUid, builds, run, log, signal, ...(sessionName ? { session: sessionName } : {}) };
  };
  const ready = () => ({ type: 'ready' as const, pid: process.pid, namespaced: values.namespaced, uid: process.getuid?.() ?? -1 });

  let detached: HelperSession | null = null;
  if (sessionName) {
    const sessionsDir = join(workspace.root, 'sessions');
    const recovered = await recoverDeadSessions(sessionsDir, sessionName, context);
    detached = await openSession({ dir: join(sessionsDir, sessionName), id: sessionName, lingerMs, ready, recovered });
  }
  const send = (message: Exclude<FromHelper, { type: 'ready' }>) => (detached ? detached.send(message) : process.stdout.write(`${JSON.stringify(message)}\n`));
  const diag = (text: string) => (detached ? detached.diag(text) : process.stderr.write(`build helper: ${text}\n`));

  async function call(id: number, op: string, rawArgs: unknown): Promise<void> {
    const controller = new AbortController();
    running.set(id, controller);
    const log = (text: string, stream: 'out' | 'err' | 'info' = 'info') => send({ type: 'log', id, stream, text });
    try {
      if (!Object.hasOwn(helperOps, op)) throw new Error(`refused: "${op}" is not a helper operation`);
      const name = op as HelperOp;
      const args = helperOps[name].args.parse(rawArgs);
      const value = await (ops[name] as (a: unknown, c: OpContext) => Promise<unknown>)(args, context(controller.signal, log));
      // An operation that finished is reported done, even if a cancel arrived meanwhile: it did happen.
      send({ type: 'result', id, ok: true, value: value ?? {} });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      send({ type: 'result', id, ok: false, error: controller.signal.aborted ? 'cancelled' : message, cancelled: controller.signal.aborted });
    } finally {
      running.delete(id);
    }
  }

  let shuttingDown = false;
  async function shutdown(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    for (const controller of running.values()) controller.abort();
    // Give aborted commands a moment to die before their mounts are released.
    await new Promise((resolve) => setTimeout(resolve, running.size > 0 ? 1_000 : 0));
    let unreleased = 0;
    for (const open of builds.values()) unreleased += (await releaseAll(execaRunner, open, diag)).failed.length;
    // What could not be released stays named by the session's folder: the next helper on the host recovers it.
    detached?.close({ keepFolder: unreleased > 0 });
    process.exit(0);
  }

  const handle = (message: ToHelper) => {
    if (message.type === 'cancel') running.get(message.id)?.abort();
    else if (message.type === 'close') void shutdown();
    else void call(message.id, message.op, message.args);
  };
  process.on('SIGTERM', () => void shutdown());
  if (detached) {
    detached.onMessage(handle);
    detached.onAbandoned(() => {
      diag(`no console attached for ${lingerMs / 1000} s: releasing every build and exiting`);
      void shutdown();
    });
    return;
  }
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    try {
      handle(ToHelper.parse(JSON.parse(line)));
    } catch {
      diag('ignored a malformed message');
    }
  });
  lines.on('close', () => void shutdown());
  process.stdout.write(`${JSON.stringify(ready())}\n`);
}

/**
 * The host's next helper start recovers what a helper that died (killed, or
 * its host restarted) left: the builds its session opened are released from
 * their journals, exactly as locally, and its folder goes.
 */
async function recoverDeadSessions(sessionsDir: string, own: string, context: (signal: AbortSignal, log: (text: string) => void) => OpContext): Promise<string[]> {
  const dead = await deadSessions(sessionsDir, own);
  if (dead.length === 0) return [];
  const lines: string[] = [];
  // What the release says beyond its result (an output folder not reopened, say); each release is in the result already.
  const ctx = context(new AbortController().signal, (text) => void (text.startsWith('released ') || lines.push(`recovery: ${text}`)));
  const buildIds = buildsOfSessions(ctx.workspace, new Set(dead));
  const result = await ops.recover({ buildIds }, ctx).catch((error: Error) => ({ cleaned: [], failed: [`recovery failed: ${error.message}`] }));
  for (const name of dead) rmSync(join(sessionsDir, name), { recursive: true, force: true });
  return [...result.cleaned, ...result.failed.map((line) => `NOT cleaned: ${line}`), ...lines.slice(-20)];
}
