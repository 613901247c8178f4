import { spawnSync } from 'node:child_process';

/**
 * Where the shell finds a tool, with the sbin directories a root PATH has: an
 * oracle independent of Slipway's own lookup, for tests that check it.
 */
export function shellLookup(name: string): string | null {
  const path = `${process.env.PATH}:/usr/local/sbin:/usr/sbin:/sbin`;
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { env: { ...process.env, PATH: path }, encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}
