import { createHash } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import type { ImageSpec } from '../../../shared/contract/index.js';
import { mkfsArgs } from './ext-fs.js';

type ImageFs = ImageSpec['images'][number];

/**
 * Reproducible ext images. What varies between two builds of the same spec, and
 * how each is fixed:
 * - the kernel's block and inode placement, random inode generations, ctimes: the
 *   tree is copied into a fresh file system by `mke2fs -d` (one thread, entries
 *   in alphasort order: e2fsprogs misc/create_inode.c __populate_fs);
 * - times the build gave files (ctimes, which no program can set, atimes,
 *   mtimes past the epoch): rewritten in the copy by debugfs. e2fsprogs 1.47.1
 *   clamps them itself under SOURCE_DATE_EPOCH; Debian 12 has 1.47.0;
 * - superblock times, crtimes: E2FSPROGS_FAKE_TIME (lib/ext2fs/initialize.c,
 *   openfs.c) and E2FSCK_TIME for e2fsck's last-check time;
 * - UUID and directory hash seed: derived from the spec's hash.
 */

/** A version-4-shaped UUID from a seed: the same spec gives the same file system UUID. */
export function seededUuid(seed: string): string {
  const bytes = createHash('sha256').update(seed).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The environment every e2fsprogs tool gets in a reproducible build: its clock reads the epoch. */
export function fakeTimeEnv(epoch: number): Record<string, string> {
  return { E2FSPROGS_FAKE_TIME: String(epoch), E2FSCK_TIME: String(epoch), SOURCE_DATE_EPOCH: String(epoch) };
}

/**
 * Every entry of one file system under root (not crossing into other mounts),
 * names as bytes: a file name need not be UTF-8, and a lossy one would name
 * another file.
 */
export function walkOneFs(root: string, visit: (relative: Buffer, absolute: Buffer) => void): void {
  const rootBytes = Buffer.from(root);
  const device = lstatSync(rootBytes).dev;
  visit(Buffer.alloc(0), rootBytes);
  const pending: Buffer[] = [Buffer.alloc(0)];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const entries = readdirSync(Buffer.concat([rootBytes, dir]), { encoding: 'buffer', withFileTypes: true });
    for (const entry of entries) {
      const relative = Buffer.concat([dir, Buffer.from('/'), entry.name]);
      const absolute = Buffer.concat([rootBytes, relative]);
      visit(relative, absolute);
      if (entry.isDirectory() && lstatSync(absolute).dev === device) pending.push(relative);
    }
  }
}

/**
 * A debugfs command file that fixes the times `mke2fs -d` copied from the tree
 * (create_inode.c set_inode_extra copies st_atime/st_mtime/st_ctime): every
 * ctime and atime to the epoch (when the build wrote or read a file), mtimes
 * past it clamped to it (tar's --clamp-mtime); older mtimes are the packages'
 * own. By path: quoting is ss_parse's (lib/ss/parse.c), a double-quoted string
 * with a quote inside doubled. A name with a newline cannot be written on a
 * command line: counted, and its times stay as copied.
 */
export function timesScript(root: string, epoch: number): { script: Buffer; inodes: number; unnamed: number } {
  const lines: Buffer[] = [];
  let inodes = 0;
  let unnamed = 0;
  walkOneFs(root, (relative, absolute) => {
    if (relative.includes(0x0a)) {
      unnamed += 1;
      return;
    }
    const path = Buffer.concat([Buffer.from('"'), Buffer.from((relative.length === 0 ? Buffer.from('/') : relative).toString('latin1').replaceAll('"', '""'), 'latin1'), Buffer.from('"')]);
    const set = (field: string) => lines.push(Buffer.from('sif '), path, Buffer.from(` ${field} @${epoch}\n`));
    set('ctime');
    set('atime');
    if (lstatSync(absolute).mtimeMs > epoch * 1000) set('mtime');
    inodes += 1;
  });
  return { script: Buffer.concat(lines), inodes, unnamed };
}

/**
 * `mke2fs -d`: the build's mkfs arguments, with the spec-derived UUID (unless
 * the spec sets one), the hash seed merged into the one -E that mke2fs reads
 * (the last -E wins: misc/mke2fs.c PRS), and the tree to copy in.
 */
export function populateArgs(fs: ImageFs, file: string, source: string, seeds: { uuid: string; hashSeed: string }): string[] {
  const args = mkfsArgs(fs, file).slice(0, -1);
  const extended: string[] = [];
  const kept: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '-E' && i + 1 < args.length) extended.push(args[++i]!);
    else kept.push(args[i]!);
  }
  if (!kept.includes('-U')) kept.push('-U', seeds.uuid);
  if (!extended.some((options) => options.split(',').some((option) => option.startsWith('hash_seed=')))) extended.push(`hash_seed=${seeds.hashSeed}`);
  return [...kept, '-E', extended.join(','), '-d', source, file];
}
