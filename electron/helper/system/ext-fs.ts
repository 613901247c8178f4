import type { ImageSpec } from '../../../shared/contract/index.js';
import type { Runner } from '../../process/runner.js';
import { commandError } from './command-error.js';

type ImageFs = ImageSpec['images'][number];

/**
 * mkfs arguments. The journal is left off while building (fuel-agent measured
 * 2–3× faster builds) and added back before the image is shrunk and shipped.
 */
export function mkfsArgs(fs: ImageFs, device: string): string[] {
  const args = ['-F', '-q', '-t', fs.fsType];
  if (fs.fsType !== 'ext2') args.push('-O', '^has_journal');
  if (fs.label) args.push('-L', fs.label);
  args.push('-E', 'nodiscard', ...fs.options, device);
  return args;
}

export async function makeFs(run: Runner, fs: ImageFs, device: string): Promise<void> {
  const result = await run('mkfs', mkfsArgs(fs, device));
  if (result.exitCode !== 0) throw commandError(`mkfs -t ${fs.fsType}`, result);
}

/** Block count × block size from `dumpe2fs -h`. */
export function parseFsBytes(dumpe2fs: string): number {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(dumpe2fs);
    if (!match) throw new Error(`dumpe2fs printed no "${name}"`);
    return Number(match[1]);
  };
  return field('Block count') * field('Block size');
}

/**
 * Journal back on (ext3/4), check, shrink to the minimum, and report the file
 * system's size so the file can be truncated to it. `env` sets the tools'
 * clock in a reproducible build; `newUuid` gives a copied file system its own UUID.
 */
export async function finishAndShrink(
  run: Runner,
  fsType: ImageFs['fsType'],
  file: string,
  log: (line: string) => void,
  { env, newUuid = false }: { env?: Record<string, string>; newUuid?: boolean } = {},
): Promise<number> {
  const options = env ? { env } : {};
  if (fsType !== 'ext2') {
    const journal = await run('tune2fs', ['-O', 'has_journal', file], options);
    if (journal.exitCode !== 0) throw commandError('tune2fs -O has_journal', journal);
  }
  const check = await run('e2fsck', ['-f', '-y', file], options);
  // 0: clean, 1: errors corrected. Anything else means the image is not sound.
  if (check.exitCode !== 0 && check.exitCode !== 1) throw commandError('e2fsck -f -y', check);
  // After the check: tune2fs changes a UUID only on a freshly checked file system (it rewrites every checksum).
  if (newUuid) {
    const uuid = await run('tune2fs', ['-U', 'random', file], options);
    if (uuid.exitCode !== 0) throw commandError('tune2fs -U random', uuid);
  }
  const shrink = await run('resize2fs', ['-M', file], options);
  if (shrink.exitCode !== 0) throw commandError('resize2fs -M', shrink);
  log(shrink.stdout.trim().split('\n').at(-1) || 'resized');
  const info = await run('dumpe2fs', ['-h', file], options);
  if (info.exitCode !== 0) throw commandError('dumpe2fs -h', info);
  return parseFsBytes(info.stdout);
}
