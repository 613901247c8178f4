import { join } from 'node:path';
import { seededUuid } from '../helper/system/reproducible-fs.js';
import type { ImageSpec } from '../../shared/contract/index.js';
import type { BuildContext, ImageWork } from './build-context.js';
import { specHash } from './spec-hash.js';

/**
 * The parts of a reproducible build (spec.sourceDateEpoch) that run inside the
 * pipeline's steps. Two cold builds of bookworm minbase on this host differed,
 * past times and file system layout, only in these files (diff -r of the two
 * trees): logs of the build itself and ldconfig's cache of inode numbers and
 * ctimes. Each is recreated by the tool that owns it on the node.
 */
const buildRecords = [
  'var/log/bootstrap.log',
  'var/log/dpkg.log',
  'var/log/alternatives.log',
  'var/log/apt/history.log',
  'var/log/apt/term.log',
  'var/log/apt/eipp.log.xz',
  'var/cache/ldconfig/aux-cache',
];

/**
 * Derived from what the image is made of: the same spec names the same file
 * system, wherever its output is written (the output folder is left out).
 */
export function fsSeeds(spec: ImageSpec, image: string): { uuid: string; hashSeed: string } {
  const content = specHash({ ...spec, output: null });
  return { uuid: seededUuid(`uuid:${content}:${image}`), hashSeed: seededUuid(`hash-seed:${content}:${image}`) };
}

export async function removeBuildRecords(ctx: BuildContext): Promise<number> {
  for (const path of buildRecords) await ctx.call('file.remove', { path: join(ctx.root, path) });
  // systemd's random id, written when it was installed: empty means "set me at first boot" (machine-id(5)).
  // The file stays: a read-only root needs it to exist for the id to be mounted over it.
  const machineId = join(ctx.root, 'etc/machine-id');
  const present = await ctx.call('file.read', { path: machineId }).then(() => true, () => false);
  if (present) await ctx.call('file.write', { path: machineId, content: '', mode: 0o444 });
  return buildRecords.length + (present ? 1 : 0);
}

/**
 * The image's tree copied into a fresh file system by `mke2fs -d`, from a
 * read-only mount of that image alone (no other image mounted inside it), then
 * put in its place. The kernel's layout, inode generations and times are gone.
 */
export async function repack(ctx: BuildContext, image: ImageWork, epoch: number): Promise<string> {
  const source = join(ctx.dir, `repack-${image.fs.name}`);
  const copy = `${image.file}.repacked`;
  await ctx.call('dir.make', { path: source });
  const { device } = await ctx.call('loop.attach', { file: image.file, readOnly: true });
  await ctx.call('mount', { source: device, target: source, type: image.fs.fsType, readOnly: true });
  await ctx.call('loop.autoclear', { device, file: image.file });
  const { inodes } = await ctx.call('fs.populate', { source, file: copy, fs: image.fs, epoch, ...fsSeeds(ctx.spec, image.fs.name) });
  await ctx.call('umount', { target: source });
  await ctx.call('file.remove', { path: image.file });
  image.file = copy;
  return `${image.fs.name}: ${inodes} inodes repacked`;
}
