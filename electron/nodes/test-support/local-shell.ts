import { spawn } from 'node:child_process';
import type { ExecChannel } from '../ssh-connection.js';

/**
 * A local `sh -c COMMAND` with its stdio as an exec channel: what an SSH exec
 * channel gives the resident shell, without SSH. `login` stands for what the
 * node's login shell does before running the command (an rc file that sleeps
 * or prints).
 */
export function localShellChannel(command: string, login = ''): ExecChannel & { pid: number } {
  // Its own process group, so a test can take the shell and what it runs down at once, as a lost node does.
  const child = spawn('sh', ['-c', `${login}\n${command}`], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  // A write after the shell is gone is the test's business (it reports the loss through onClose), never a crash.
  child.stdin.on('error', () => undefined);
  return {
    pid: child.pid!,
    write: (text) => void child.stdin.write(text),
    onStdout: (listener) => void child.stdout.on('data', listener),
    onStderr: (listener) => void child.stderr.on('data', listener),
    onClose: (listener) => void child.once('close', listener),
    close: () => {
      child.stdin.end();
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    },
  };
}
