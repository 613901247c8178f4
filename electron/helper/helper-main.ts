import { mkdirSync, realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { execaRunner, type Runner } from '../process/runner.js';
import { releaseAll, type OpenBuild } from './build-registry.js';
import { ops } from './helper-ops.js';
import type { OpContext } from './op-context.js';
import { FromHelper, helperOps, ToHelper, type HelperOp } from './helper-protocol.js';
import { Workspace } from './workspace.js';

/**
 * The privileged build helper: started by Slipway (through unshare, and sudo or
 * pkexec when Slipway is not root), it runs only the operations of
 * helper-protocol.ts. When Slipway goes away (stdin closes) it releases every
 * build it holds and exits; if it is killed outright, its private mount and
 * pid namespaces die with it and the journals cover the rest.
 */

function send(message: FromHelper): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const { values } = parseArgs({
  options: { workspace: { type: 'string' }, 'output-root': { type: 'string', multiple: true, default: [] }, namespaced: { type: 'boolean', default: false } },
});
if (!values.workspace?.startsWith('/')) {
  process.stderr.write('build helper: --workspace must be an absolute path\n');
  process.exit(2);
}
// Canonical from the start: losetup, mountinfo and /proc report real paths, and they are compared with ours.
mkdirSync(values.workspace, { recursive: true, mode: 0o755 });
const workspace = new Workspace(realpathSync(values.workspace));
const builds = new Map<string, OpenBuild>();
// Set by sudo and pkexec to the user who asked; a helper Slipway started as root runs for root.
const elevatedFor = Number(process.env.SUDO_UID ?? process.env.PKEXEC_UID ?? process.getuid?.() ?? 0);
const operatorUid = Number.isInteger(elevatedFor) && elevatedFor >= 0 ? elevatedFor : 0;
const running = new Map<number, AbortController>();

async function call(id: number, op: string, rawArgs: unknown): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  const log = (text: string, stream: 'out' | 'err' | 'info' = 'info') => send({ type: 'log', id, stream, text });
  try {
    if (!Object.hasOwn(helperOps, op)) throw new Error(`refused: "${op}" is not a helper operation`);
    const name = op as HelperOp;
    const args = helperOps[name].args.parse(rawArgs);
    const run: Runner = (file, argv, options) =>
      execaRunner(file, argv, { ...options, signal: controller.signal, onLine: (stream, text) => log(text, stream) });
    const ctx: OpContext = { workspace, outputRoots: values['output-root'], operatorUid, builds, run, log, signal: controller.signal };
    const value = await (ops[name] as (a: unknown, c: OpContext) => Promise<unknown>)(args, ctx);
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
  for (const open of builds.values()) {
    await releaseAll(execaRunner, open, (text) => process.stderr.write(`build helper: ${text}\n`));
  }
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let message: ToHelper;
  try {
    message = ToHelper.parse(JSON.parse(line));
  } catch {
    process.stderr.write('build helper: ignored a malformed message\n');
    return;
  }
  if (message.type === 'cancel') running.get(message.id)?.abort();
  else void call(message.id, message.op, message.args);
});
lines.on('close', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

send({ type: 'ready', pid: process.pid, namespaced: values.namespaced, uid: process.getuid?.() ?? -1 });
