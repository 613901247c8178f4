import type { RunResult } from '../../process/runner.js';

/** An error that carries what the command said, last lines first in importance. */
export function commandError(what: string, result: RunResult): Error {
  const said = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
  const how = result.error ?? `exit code ${result.exitCode}`;
  return new Error(`${what} failed (${how})${said ? `: ${said}` : ''}`);
}
