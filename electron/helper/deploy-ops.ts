import { constants as fsConstants, chmodSync, existsSync, closeSync, copyFileSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, statSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { digestFile, isGzip, isZstd, unpackGzip } from './system/artifact-pack.js';
import { commandError } from './system/command-error.js';
import { finishAndShrink } from './system/ext-fs.js';
import { build, inBuild, must, outputName, stagedPath, type Op, type OpContext } from './op-context.js';

/**
 * The helper's operations for deploys and netboot extraction: a built image is
 * staged in the job's directory (never written: the loop device and the mount
 * are read-only), an overlayfs goes over it, extensions run against the merged
 * tree, and the result is packed. Everything is journalled like a build's.
 */
type DeployOp = 'image.stage' | 'overlay.mount' | 'extension.run' | 'tree.pack' | 'boot.extract' | 'root.squash';

function readHead(path: string, bytes: number, offset = 0): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, offset);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** ext2/3/4 carry 0xEF53 at byte 1080: anything else cannot be the lower layer. */
function checkExtImage(path: string): void {
  const magic = readHead(path, 2, 1080);
  if (magic.length < 2 || magic.readUInt16LE(0) !== 0xef53) throw new Error(`${path} is not an ext2/3/4 file system image`);
}

/** overlayfs takes its layers in one comma- and colon-separated option string. */
function overlayPath(path: string): string {
  if (/[,:\\]/.test(path)) throw new Error(`refused: ${path} cannot be an overlay layer (",", ":" or "\\" in the path)`);
  return path;
}

/** Newest kernel first by its version (vmlinuz-6.1.0-27-amd64 after vmlinuz-6.1.0-9-amd64). */
export function pickKernel(bootNames: readonly string[]): { kernel: string; initrd: string } | null {
  const kernels = bootNames
    .filter((name) => /^vmlinuz-./.test(name))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  for (const kernel of kernels) {
    const initrd = `initrd.img-${kernel.slice('vmlinuz-'.length)}`;
    if (bootNames.includes(initrd)) return { kernel, initrd };
  }
  return null;
}

/**
 * What a diskless netboot needs of the image: live-boot's initramfs part
 * fetches the root image named by `fetch=` over HTTP and mounts it under an
 * overlay (live-boot 9990-mount-http.sh do_httpmount). Its hook copies
 * /bin/live-boot into the initrd (live-boot-initramfs-tools hooks/live).
 */
export function disklessProblem(tree: string): string | null {
  const missing = ['bin/live-boot', 'usr/share/initramfs-tools/scripts/live'].filter((path) => !existsSync(join(tree, path)));
  return missing.length === 0 ? null : `the image cannot boot from a root image over the network: add live-boot to the spec's packages (no /${missing.join(', no /')})`;
}

/** A regular file inside the tree: a link could point at the host's files, since we read from outside the chroot. */
function regularIn(dir: string, name: string): string {
  const path = join(dir, name);
  if (!lstatSync(path).isFile()) throw new Error(`refused: /boot/${name} in the image is not a regular file`);
  return path;
}

export const deployOps: { [O in DeployOp]: Op<O> } = {
  async 'image.stage'({ buildId, image, dest }, ctx) {
    const open = build(ctx, buildId);
    let source: string;
    try {
      source = ctx.workspace.confine(image, ctx.outputRoots);
    } catch {
      throw new Error(`refused: ${image} is not under an output root (${ctx.outputRoots.join(', ')})`);
    }
    if (!statSync(source).isFile()) throw new Error(`${image} is not a file`);
    const staged = inBuild(ctx, buildId, dest);
    open.journal.acquire({ kind: 'file', path: staged });
    const head = readHead(source, 4);
    // Deploys and netboot sets unpack gzip only so far: a zstd build is named as such, not called "not an ext image".
    if (isZstd(head)) throw new Error(`refused: ${basename(source)} is zstd-compressed; deploy and publish take gzip or raw images (build with container: gzip or raw)`);
    if (isGzip(head)) {
      ctx.log(`unpacking ${basename(source)} into the deploy's working copy`);
      const raw = await unpackGzip(source, staged, (done, total) => ctx.log(`unpacked ${Math.round((100 * done) / total)}% of ${basename(source)}`), ctx.signal);
      checkExtImage(staged);
      return { bytes: raw.size, container: 'gzip' };
    }
    checkExtImage(source);
    try {
      // A second name for the same inode costs nothing; the loop device and mount over it are read-only.
      linkSync(source, staged);
      ctx.log(`linked ${source} (read-only use)`);
    } catch {
      copyFileSync(source, staged, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE);
      ctx.log(`copied ${source} (another file system)`);
    }
    return { bytes: statSync(staged).size, container: 'raw' };
  },

  async 'overlay.mount'({ buildId, lower, upper, work, target }, ctx) {
    const [l, u, w, t] = [lower, upper, work, target].map((path) => overlayPath(inBuild(ctx, buildId, path))) as [string, string, string, string];
    for (const dir of [u, w, t]) mkdirSync(dir, { recursive: true, mode: 0o755 });
    build(ctx, buildId).journal.acquire({ kind: 'mount', target: t });
    await must(ctx, 'mount -t overlay', 'mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${l},upperdir=${u},workdir=${w}`, t]);
    return {};
  },

  async 'extension.run'({ buildId, executable, root, env, timeoutMs }, ctx) {
    const tree = inBuild(ctx, buildId, root);
    if (!executable.startsWith('/')) throw new Error(`refused: ${executable} is not an absolute path`);
    const stat = statSync(executable);
    if (!stat.isFile() || (stat.mode & 0o111) === 0) throw new Error(`${executable} is not an executable file`);
    const result = await ctx.run(executable, [tree], {
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', HOME: '/root', ...env },
      cleanEnv: true,
      timeoutMs,
    });
    if (result.exitCode !== 0) throw commandError(`extension ${basename(executable)}`, result);
    return {};
  },

  async 'tree.pack'({ buildId, root, dest, format }, ctx) {
    const open = build(ctx, buildId);
    const tree = inBuild(ctx, buildId, root);
    // For the output folder, packed privately and moved in by artifact.place: tar and mke2fs open paths, not the folder's handle.
    const partial = open.output?.holds(dest) ? stagedPath(open, outputName(open, dest).name) : `${inBuild(ctx, buildId, dest)}.partial-${buildId}`;
    mkdirSync(dirname(partial), { recursive: true, mode: 0o755 });
    open.journal.acquire({ kind: 'file', path: partial });
    if (format === 'tar') {
      await must(ctx, 'tar --create', 'tar', ['--no-unquote', '--create', '--file', partial, '--directory', tree, '--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls', '--sort=name', '--one-file-system', '.']);
    } else {
      await packRawdisk(ctx, tree, partial);
    }
    chmodSync(partial, 0o644);
    const digest = await digestFile(partial);
    return { path: partial, bytes: digest.size, sha256: digest.sha256 };
  },

  async 'boot.extract'({ buildId, root, dest }, ctx) {
    const boot = join(inBuild(ctx, buildId, root), 'boot');
    const out = inBuild(ctx, buildId, dest);
    const pair = pickKernel(readdirSync(boot));
    if (!pair) throw new Error('the image has no /boot/vmlinuz-* with a matching initrd.img-*: add a kernel package (linux-image-amd64) to the spec to boot or netboot it');
    mkdirSync(out, { recursive: true, mode: 0o755 });
    const copy = (name: string, as: string) => {
      const to = join(out, as);
      copyFileSync(regularIn(boot, name), to, fsConstants.COPYFILE_EXCL);
      // Debian installs kernels 0600; the copy is read by Slipway, which may not be root.
      chmodSync(to, 0o644);
      return to;
    };
    ctx.log(`found /boot/${pair.kernel} and /boot/${pair.initrd}`);
    return { kernel: copy(pair.kernel, 'kernel'), initrd: copy(pair.initrd, 'initrd'), kernelName: pair.kernel, diskless: disklessProblem(inBuild(ctx, buildId, root)) };
  },

  async 'root.squash'({ buildId, root, dest }, ctx) {
    const tree = inBuild(ctx, buildId, root);
    const file = inBuild(ctx, buildId, dest);
    build(ctx, buildId).journal.acquire({ kind: 'file', path: file });
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    // /boot stays out: its kernel and initrd are published beside the root image. zstd: what Debian's kernels read fastest.
    // -noappend: a file left at dest is replaced, never extended. Extended attributes are kept (file capabilities).
    // -mkfs-time 0: the same image gives the same bytes (mksquashfs is reproducible but for its creation time), so a
    // build host, which keeps no cache of extracted files, publishes the same image again as `unchanged`.
    await must(ctx, 'mksquashfs', 'mksquashfs', [tree, file, '-noappend', '-comp', 'zstd', '-no-progress', '-quiet', '-mkfs-time', '0', '-e', 'boot']);
    chmodSync(file, 0o644);
    const digest = await digestFile(file);
    ctx.log(`root image ${Math.round(digest.size / (1 << 20))} MiB (squashfs, zstd)`);
    return { path: file, bytes: digest.size, sha256: digest.sha256 };
  },
};

/** A new ext4 image holding the tree: sized from its use with room to spare, then shrunk to fit. */
async function packRawdisk(ctx: OpContext, tree: string, file: string): Promise<void> {
  // Not --one-file-system: overlayfs reports the lower or upper layer's device for files, so du -x would skip them.
  const du = await ctx.run('du', ['--block-size=1', '--summarize', tree], { quiet: true });
  if (du.exitCode !== 0) throw commandError('du', du);
  const used = Number(du.stdout.trim().split(/\s/)[0]);
  const bytes = Math.ceil((used * 1.3 + (128 << 20)) / (1 << 20)) * (1 << 20);
  ctx.log(`tree uses ${Math.round(used / (1 << 20))} MiB; making a ${Math.round(bytes / (1 << 20))} MiB ext4 file system from it`);
  // Created exclusively first: mke2fs would write through a planted link.
  closeSync(openSync(file, 'wx', 0o644));
  truncateSync(file, bytes);
  await must(ctx, 'mke2fs -d', 'mke2fs', ['-q', '-F', '-t', 'ext4', '-i', '8192', '-L', 'deploy', '-d', tree, file]);
  truncateSync(file, await finishAndShrink(ctx.run, 'ext4', file, ctx.log));
}
