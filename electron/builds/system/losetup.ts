import type { Runner } from '../../process/runner.js';
import { commandError } from './command-error.js';

/**
 * `--find --show` takes the lowest free device under util-linux's lock; two
 * builds may still collide between "find" and "attach" (fuel-agent saw it), so
 * EBUSY is retried a few times.
 */
export async function attachLoop(run: Runner, file: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const result = await run('losetup', ['--find', '--show', '--nooverlap', file]);
    if (result.exitCode === 0) return result.stdout.trim();
    if (attempt >= 4 || !/busy|resource temporarily/i.test(result.stderr)) throw commandError('losetup --find --show', result);
    await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
  }
}

/** Devices currently backed by file, parsed from `losetup --json --list`. */
export async function loopsBackedBy(run: Runner, file: string): Promise<string[]> {
  // Asked without streaming: the listing is a query, not build output.
  const result = await run('losetup', ['--json', '--list', '--output', 'NAME,BACK-FILE'], { quiet: true });
  if (result.exitCode !== 0) throw commandError('losetup --list', result);
  return parseLoopList(result.stdout, file);
}

export function parseLoopList(json: string, file: string): string[] {
  if (!json.trim()) return [];
  const parsed = JSON.parse(json) as { loopdevices?: { name: string; 'back-file': string | null }[] };
  return (parsed.loopdevices ?? [])
    .filter((device) => (device['back-file'] ?? '').replace(/ \(deleted\)$/, '') === file)
    .map((device) => device.name);
}

/** On a mounted device this only sets autoclear: the kernel frees it with the last unmount. */
export async function detachLoop(run: Runner, device: string): Promise<void> {
  const result = await run('losetup', ['--detach', device]);
  if (result.exitCode !== 0) throw commandError(`losetup --detach ${device}`, result);
}
