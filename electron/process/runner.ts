import { execa } from 'execa';

export interface RunOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Each output line as it comes (the full output is still returned). */
  onLine?: (stream: 'out' | 'err', text: string) => void;
  /** Only `env`, nothing inherited from this process's environment. */
  cleanEnv?: boolean;
  /** The unfinished last line so far, after each chunk: prompts (`login: `) end without a newline. */
  onPartial?: (stream: 'out' | 'err', text: string) => void;
  /** A query whose output is data, not progress: not streamed through onLine. */
  quiet?: boolean;
  /** Aborting ends the command's whole process group: TERM, then KILL after 5 s. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** null when the command could not start or was killed. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run to an exit code (not found, timed out, cancelled), when it did not. */
  error?: string;
}

/**
 * Every command Slipway runs goes through a Runner: an executable and an argument
 * array, never a shell string, so services can be tested with a fake runner.
 */
export type Runner = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

export const execaRunner: Runner = async (file, args, options = {}) => {
  const child = execa(file, args, {
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 0,
    env: { LC_ALL: 'C', ...options.env },
    extendEnv: !options.cleanEnv,
    // Its own process group, so a cancel reaches the grandchildren too (debootstrap → dpkg).
    detached: options.signal !== undefined,
    lines: false,
    maxBuffer: 256 << 20,
  });
  let forceKill: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killGroup(child.pid, 'SIGTERM');
    forceKill = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5_000);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Aborted before the listener was there: it would never fire, and the command would run unbounded.
  if (options.signal?.aborted) onAbort();
  if (options.onLine && !options.quiet) {
    const emit = (stream: 'out' | 'err') => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = partial + chunk.toString('utf8');
        const lines = text.split(/\r?\n|\r/);
        partial = lines.pop() ?? '';
        for (const line of lines) if (line) options.onLine?.(stream, line);
        if (partial) options.onPartial?.(stream, partial);
      };
    };
    child.stdout?.on('data', emit('out'));
    child.stderr?.on('data', emit('err'));
  }
  const result = await child;
  options.signal?.removeEventListener('abort', onAbort);
  // After a cancel the KILL still goes out: group members that ignored TERM outlive their leader.
  if (forceKill && !options.signal?.aborted) clearTimeout(forceKill);
  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  const error = options.signal?.aborted ? 'cancelled' : result.failed && exitCode === null ? result.shortMessage : undefined;
  return {
    exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    ...(error !== undefined ? { error } : {}),
  };
};
