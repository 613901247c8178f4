import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

/** Said on stderr when no helper answers on the socket: it was killed, or its host restarted. The console stops re-attaching. */
export const goneWord = 'slipway-helper-gone';
export const goneCode = 98;

/**
 * The bridge an SSH exec channel runs on a build host: stdin to a detached
 * helper's socket, the socket to stdout, after asking for everything past
 * `after`. The channel dropping ends only the bridge; the helper goes on.
 * `waitMs`: a helper just started may not listen yet.
 */
export function runAttach(socketPath: string, after: number, waitMs: number): void {
  const deadline = Date.now() + waitMs;
  let connected = false;
  const attempt = () => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ type: 'attach', after })}\n`);
      process.stdin.pipe(socket);
      socket.pipe(process.stdout);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected) return;
      // Not listening yet: wait, unless the helper already said why it will not (its helper.err).
      if (Date.now() < deadline && (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') && lastWords(socketPath) === '') {
        setTimeout(attempt, 100);
        return;
      }
      process.stderr.write(`${goneWord}: no helper answers at ${socketPath} (${error.code ?? error.message})${lastWords(socketPath)}\n`);
      process.exit(goneCode);
    });
    socket.on('close', () => {
      if (connected) process.exit(0);
    });
  };
  // The console went (its channel closed): once connected, the pipe ends the socket (the helper goes on alone), whose close ends this.
  process.stdin.on('end', () => {
    if (!connected) process.exit(0);
  });
  process.stdout.on('error', () => process.exit(0));
  attempt();
}

/** What a helper that failed to start said, for the console's error. */
function lastWords(socketPath: string): string {
  try {
    const text = readFileSync(join(dirname(socketPath), 'helper.err'), 'utf8').trim().split('\n').slice(-3).join(' | ');
    return text ? `: ${text}` : '';
  } catch {
    return '';
  }
}
