import { execa } from 'execa';

export interface RunOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface RunResult {
  /** null when the command could not start or was killed. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run to an exit code (not found, timed out), when it did not. */
  error?: string;
}

/**
 * Every command Slipway runs goes through a Runner: an executable and an argument
 * array, never a shell string, so services can be tested with a fake runner.
 */
export type Runner = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

export const execaRunner: Runner = async (file, args, options = {}) => {
  const result = await execa(file, args, {
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 30_000,
    env: options.env,
    // Tools print versions and errors in the C locale only when asked.
    extendEnv: true,
  });
  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  const error = result.failed && exitCode === null ? result.shortMessage : undefined;
  return {
    exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    ...(error !== undefined ? { error } : {}),
  };
};
