import type { Runner } from '../../process/runner.js';
import { commandError } from './command-error.js';

/**
 * `--find --show` takes the lowest free device under util-linux's lock; two
 * builds may still collide between "find" and "attach" (fuel-agent saw it), so
 * EBUSY is retried a few times.
 */
export async function attachLoop(run: Runner, file: string, options: { readOnly?: boolean } = {}): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const result = await run('losetup', ['--find', '--show', '--nooverlap', ...(options.readOnly ? ['--read-only'] : []), file]);
    if (result.exitCode === 0) return result.stdout.trim();
    if (attempt >= 4 || !/busy|resource temporarily/i.test(result.stderr)) throw commandError('losetup --find --show', result);
    await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
  }
}

export interface LoopDevice {
  name: string;
  /** Set once detached while mounted: the kernel frees it with the last unmount. */
  autoclear: boolean;
}

/** Devices currently backed by file, from `losetup --json --list`. */
export async function loopDevicesOf(run: Runner, file: string): Promise<LoopDevice[]> {
  // Asked without streaming: the listing is a query, not build output.
  const result = await run('losetup', ['--json', '--list', '--output', 'NAME,BACK-FILE,AUTOCLEAR'], { quiet: true });
  if (result.exitCode !== 0) throw commandError('losetup --list', result);
  return parseLoopList(result.stdout, file);
}

export async function loopsBackedBy(run: Runner, file: string): Promise<string[]> {
  return (await loopDevicesOf(run, file)).map((device) => device.name);
}

export function parseLoopList(json: string, file: string): LoopDevice[] {
  if (!json.trim()) return [];
  const parsed = JSON.parse(json) as { loopdevices?: { name: string; 'back-file': string | null; autoclear?: boolean | string }[] };
  return (parsed.loopdevices ?? [])
    .filter((device) => (device['back-file'] ?? '').replace(/ \(deleted\)$/, '') === file)
    .map((device) => ({ name: device.name, autoclear: device.autoclear === true || device.autoclear === '1' }));
}

/** On a mounted device this only sets autoclear: the kernel frees it with the last unmount. */
export async function detachLoop(run: Runner, device: string): Promise<void> {
  const result = await run('losetup', ['--detach', device]);
  if (result.exitCode !== 0) throw commandError(`losetup --detach ${device}`, result);
}

/**
 * Loop devices backed by file, after giving the kernel up to waitMs to finish
 * freeing autoclear devices (it does so asynchronously after the last unmount).
 */
export async function loopsLeft(run: Runner, file: string, waitMs = 2_000): Promise<string[]> {
  let left = await loopDevicesOf(run, file);
  for (let waited = 0; left.some((device) => device.autoclear) && waited < waitMs; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = await loopDevicesOf(run, file);
  }
  return left.map((device) => device.name);
}
