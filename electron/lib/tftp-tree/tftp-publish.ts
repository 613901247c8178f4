import { createHash } from 'node:crypto';
import { constants as fsConstants, closeSync, copyFileSync, existsSync, linkSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTftpName } from './tftp-names.js';

/**
 * Netboot files published into `<root>/<arch>/<subarch>/<release>/<purpose>`,
 * without MAAS's window between two renames: every set of files is an
 * immutable version directory named by its content hash, the purpose path is
 * a symlink switched by one rename(2), and each purpose's PXE entry names the
 * versioned paths, so a node that read its entry fetches a matching pair.
 */
export interface PublishTarget {
  root: string;
  arch: string;
  subarch?: string;
  release: string;
  purpose: string;
}

export interface PublishResult {
  status: 'published' | 'unchanged';
  version: string;
  /** The purpose path (a symlink to the version). */
  path: string;
  bootEntry: string;
  /** Earlier versions removed because their grace period was over. */
  pruned: string[];
}

const files = ['kernel', 'initrd'] as const;
/** live-boot fetches `*.squashfs` (9990-mount-http.sh do_httpmount: the URL's extension picks the handling). */
export const rootImageName = 'root.squashfs';

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Names that stay readable in `ls`: `<purpose>-<first 16 hex of sha256>`; the root image counts by its own sha256. */
export function contentVersion(kernel: Buffer, initrd: Buffer, rootSha256?: string): string {
  const hash = createHash('sha256');
  for (const part of [kernel, initrd]) hash.update(`${part.length}:`).update(part);
  if (rootSha256) hash.update(`root:${rootSha256}`);
  return hash.digest('hex').slice(0, 16);
}

/** `<purpose>-<16 hex>` exactly: purposes share `.versions`, so `compute` must not claim `compute-gpu-…`, and nothing else is a path. */
export function isVersionOf(purpose: string, version: string): boolean {
  return version.length === purpose.length + 17 && version.startsWith(`${purpose}-`) && /^[0-9a-f]{16}$/.test(version.slice(purpose.length + 1));
}

/** The root image goes in by a second name where it can (same file system), copied otherwise. */
function placeRoot(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE);
  }
}

function releaseDir(target: PublishTarget): { dir: string; subarch: string } {
  const subarch = checkTftpName('subarch', target.subarch ?? 'generic');
  const dir = join(target.root, checkTftpName('arch', target.arch), subarch, checkTftpName('release', target.release));
  checkTftpName('purpose', target.purpose);
  return { dir, subarch };
}

/** pxelinux-style entry; paths are relative to the TFTP root, as a PXE client asks for them. */
export function bootEntry(target: PublishTarget, subarch: string, versionDir: string): string {
  const base = `${target.arch}/${subarch}/${target.release}/.versions/${versionDir}`;
  return [`DEFAULT ${target.purpose}`, `LABEL ${target.purpose}`, `  KERNEL ${base}/kernel`, `  INITRD ${base}/initrd`, ''].join('\n');
}

export function bootEntryPath(target: PublishTarget, subarch: string): string {
  return join(target.root, 'pxelinux.cfg', `${target.arch}-${subarch}-${target.release}-${target.purpose}`);
}

/** Leftovers of an interrupted publish: temp version dirs and temp links. */
function cleanLeftovers(dir: string): void {
  for (const area of [dir, join(dir, '.versions'), join(dir, '..', '..', '..', 'pxelinux.cfg')]) {
    if (!existsSync(area)) continue;
    for (const name of readdirSync(area)) if (name.includes('.tmp-')) rmSync(join(area, name), { recursive: true, force: true });
  }
}

/** Superseded versions past their grace period; never the current one of any purpose, nor one a node is pinned to. */
function prune(dir: string, graceMs: number, now: number, pinned: readonly string[] = []): string[] {
  const versions = join(dir, '.versions');
  if (!existsSync(versions)) return [];
  const current = new Set([
    ...pinned,
    ...readdirSync(dir)
      .filter((name) => !name.startsWith('.'))
      .map((name) => {
        try {
          return readlinkSync(join(dir, name)).replace(/^\.versions\//, '');
        } catch {
          return '';
        }
      }),
  ]);
  const pruned: string[] = [];
  for (const name of readdirSync(versions)) {
    const retired = join(versions, name, 'retired-at');
    if (current.has(name) || !existsSync(retired)) continue;
    if (now - Number(readFileSync(retired, 'utf8')) >= graceMs) {
      rmSync(join(versions, name), { recursive: true, force: true });
      pruned.push(name);
    }
  }
  return pruned;
}

/** Kept in each version directory: where it came from and when it was first published. */
export interface VersionOrigin {
  source: string | null;
  kernelName: string | null;
}

export function publishNetboot(
  target: PublishTarget,
  kernelPath: string | Buffer,
  initrdPath: string | Buffer,
  options: { graceMs?: number; now?: () => number; origin?: VersionOrigin; root?: { path: string; sha256: string }; pinned?: readonly string[] } = {},
): PublishResult {
  const { dir, subarch } = releaseDir(target);
  const now = (options.now ?? Date.now)();
  const graceMs = options.graceMs ?? 60 * 60 * 1000;
  // Bytes already read (and checked) by the caller, or a path of Slipway's own (extracted from a build).
  const kernel = typeof kernelPath === 'string' ? readFileSync(kernelPath) : kernelPath;
  const initrd = typeof initrdPath === 'string' ? readFileSync(initrdPath) : initrdPath;
  const versionDir = `${target.purpose}-${contentVersion(kernel, initrd, options.root?.sha256)}`;
  const link = join(dir, target.purpose);
  const entryPath = bootEntryPath(target, subarch);
  mkdirSync(join(dir, '.versions'), { recursive: true });
  mkdirSync(join(target.root, 'pxelinux.cfg'), { recursive: true });
  cleanLeftovers(dir);

  let previous: string | null = null;
  try {
    previous = readlinkSync(link).replace(/^\.versions\//, '');
  } catch {
    previous = null;
  }
  if (previous === versionDir && existsSync(entryPath) && readFileSync(entryPath, 'utf8') === bootEntry(target, subarch, versionDir)) {
    // Identical content: the tree stays byte for byte and mtime for mtime as it was.
    return { status: 'unchanged', version: versionDir, path: link, bootEntry: entryPath, pruned: prune(dir, graceMs, now, options.pinned) };
  }

  const final = join(dir, '.versions', versionDir);
  if (!existsSync(final)) {
    // Written whole under a temp name, synced, then renamed: a version directory is never seen half-written.
    const temp = join(dir, '.versions', `${versionDir}.tmp-${process.pid}-${now}`);
    mkdirSync(temp);
    writeFileSync(join(temp, 'kernel'), kernel);
    writeFileSync(join(temp, 'initrd'), initrd);
    if (options.root) placeRoot(options.root.path, join(temp, rootImageName));
    writeFileSync(join(temp, 'origin.json'), JSON.stringify({ ...(options.origin ?? { source: null, kernelName: null }), publishedAt: new Date(now).toISOString() }));
    for (const name of [...files, 'origin.json', ...(options.root ? [rootImageName] : [])]) fsyncPath(join(temp, name));
    renameSync(temp, final);
  } else {
    // Republished: it is current again, not retired.
    rmSync(join(final, 'retired-at'), { force: true });
  }

  switchTo(target, { dir, subarch }, versionDir, previous, now);
  return { status: 'published', version: versionDir, path: link, bootEntry: entryPath, pruned: prune(dir, graceMs, now, options.pinned) };
}

/** The entry first, then the link: each names a complete version, and each switches by one rename; the one before is retired. */
function switchTo(target: PublishTarget, where: { dir: string; subarch: string }, versionDir: string, previous: string | null, now: number): void {
  const entryPath = bootEntryPath(target, where.subarch);
  const entryTemp = `${entryPath}.tmp-${process.pid}-${now}`;
  writeFileSync(entryTemp, bootEntry(target, where.subarch, versionDir));
  fsyncPath(entryTemp);
  renameSync(entryTemp, entryPath);
  const linkTemp = join(where.dir, `${target.purpose}.tmp-${process.pid}-${now}`);
  symlinkSync(join('.versions', versionDir), linkTemp);
  renameSync(linkTemp, join(where.dir, target.purpose));
  fsyncPath(where.dir);
  if (previous && previous !== versionDir && existsSync(join(where.dir, '.versions', previous))) {
    writeFileSync(join(where.dir, '.versions', previous, 'retired-at'), String(now));
  }
}

/** Back to a version the purpose kept (within its grace period): the same one-rename switch as a publish. */
export function rollbackNetboot(target: PublishTarget, version: string, now = Date.now()): { version: string; previous: string | null } {
  const where = releaseDir(target);
  const kept = join(where.dir, '.versions', version);
  if (!isVersionOf(target.purpose, version) || !existsSync(join(kept, 'kernel'))) {
    throw new Error(`${target.purpose} keeps no version ${version} (kept versions are removed after their grace period)`);
  }
  let previous: string | null = null;
  try {
    previous = readlinkSync(join(where.dir, target.purpose)).replace(/^\.versions\//, '');
  } catch {
    previous = null;
  }
  if (previous === version) return { version, previous };
  rmSync(join(kept, 'retired-at'), { force: true });
  switchTo(target, where, version, previous, now);
  return { version, previous };
}

/** What a release directory holds now: for the Publish view and the CLI. */
export function currentVersion(target: PublishTarget): { version: string; bytes: number } | null {
  const { dir } = releaseDir(target);
  try {
    const version = readlinkSync(join(dir, target.purpose)).replace(/^\.versions\//, '');
    const bytes = files.reduce((sum, name) => sum + statSync(join(dir, '.versions', version, name)).size, 0);
    return { version, bytes };
  } catch {
    return null;
  }
}
