import { constants } from 'node:os';
import { SshError } from '../nodes/ssh-error.js';
import type { NodeService } from '../nodes/node-service.js';
import type { PtyChannel } from '../nodes/ssh-connection.js';

/** What a terminal on a node needs of the process it runs in: the CLI's own stdio, or a test's. */
export interface ShellStdio {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** SIGWINCH and friends; `process` in the CLI. */
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
}

const size = (out: NodeJS.WriteStream) => ({ cols: Math.max(2, Math.min(500, out.columns || 80)), rows: Math.max(1, Math.min(200, out.rows || 24)) });

/** The exit status a shell gives for a remote process ended by a signal, as ssh does (128 + its number). */
function signalStatus(signal: string): number {
  const number = (constants.signals as Record<string, number>)[`SIG${signal.replace(/^SIG/, '')}`];
  return number ? 128 + number : 255;
}

/**
 * `slipway nodes shell NODE`: the node's login shell on a pty over the pooled
 * connection (the same host-key rules: an unknown or changed key is refused),
 * stdin in raw mode, resized on SIGWINCH, the terminal restored on the way out.
 * Resolves to the remote exit status.
 */
export async function runNodeShell(nodes: NodeService, name: string, io: ShellStdio): Promise<number> {
  const access = nodes.access(name);
  return runPtyShell(name, (pty) => access.openPty(pty), io);
}

/**
 * A pty opened by `open` (sized as stdout is) joined to this process's stdio
 * until it ends: what `slipway nodes shell` and `slipway containers shell` run.
 * `name` says what failed (a node, `instance@node`). Resolves to the remote
 * exit status (128 + n for a signal, 255 when it could not open or was lost).
 */
export async function runPtyShell(name: string, open: (size: { cols: number; rows: number }) => Promise<PtyChannel>, io: ShellStdio): Promise<number> {
  let channel: PtyChannel;
  try {
    channel = await open(size(io.stdout));
  } catch (error) {
    const message =
      error instanceof SshError && error.kind === 'host-key-rejected'
        ? 'unknown host key: accept it in the console (slipway start), then try again'
        : (error as Error).message;
    io.stderr.write(`slipway: ${name}: ${message}\n`);
    return 255;
  }
  const raw = io.stdin.isTTY === true;
  if (raw) io.stdin.setRawMode(true);
  const onInput = (chunk: Buffer) => channel.write(chunk);
  const onResize = () => {
    const { cols, rows } = size(io.stdout);
    channel.resize(cols, rows);
  };
  // Output as fast as the terminal takes it: the node's stream waits while stdout drains.
  const onDrain = () => channel.resume();
  const onEnd = () => channel.close();
  // Piped input ran out: the pty reads an end of file (Ctrl-D), so the shell ends once it has run what came before.
  const onInputEnd = () => channel.write(Buffer.from([4]));
  io.stdin.on('data', onInput);
  io.stdin.on('end', onInputEnd);
  io.stdout.on('drain', onDrain);
  io.signals.on('SIGWINCH', onResize);
  io.signals.on('SIGTERM', onEnd);
  io.signals.on('SIGHUP', onEnd);
  channel.onData((chunk) => {
    if (!io.stdout.write(chunk)) channel.pause();
  });
  io.stdin.resume();
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => channel.onClose((code, signal) => resolve({ code, signal })));
    if (code !== null) return code;
    if (signal !== null) return signalStatus(signal);
    io.stderr.write(`slipway: ${name}: connection lost\n`);
    return 255;
  } finally {
    io.stdin.off('data', onInput);
    io.stdin.off('end', onInputEnd);
    io.stdout.off('drain', onDrain);
    io.signals.off('SIGWINCH', onResize);
    io.signals.off('SIGTERM', onEnd);
    io.signals.off('SIGHUP', onEnd);
    if (raw) io.stdin.setRawMode(false);
    io.stdin.pause();
  }
}
