import { constants as fsConstants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { compressorFor, digestFile, fsyncFile, packWith } from './system/artifact-pack.js';
import { stopChrooted } from './system/chroot-processes.js';
import { commandError } from './system/command-error.js';
import { finishAndShrink, makeFs } from './system/ext-fs.js';
import { attachLoop, detachLoop, loopsBackedBy, loopsLeft } from './system/losetup.js';
import { openBuild, releaseAll, releaseResource, reopenBuild } from './build-registry.js';
import type { HelperOp } from './helper-protocol.js';
import { deployOps } from './deploy-ops.js';
import { reproducibleOps } from './reproducible-ops.js';
import { baseCacheOps } from './base-cache-ops.js';
import { cacheOps } from './cache-ops.js';
import { tftpOps } from './tftp-ops.js';
import { startPrefetch } from './prefetch/prefetch-op.js';
import { mmdebstrap } from './mmdebstrap-op.js';
import { fakeTimeEnv } from './system/reproducible-fs.js';
import { build, exclusiveTemp, inBuild, must, outputName, stagedPath, type Op, type OpContext } from './op-context.js';
import { openOutputFolder } from './output-folder.js';

/** Commands a build may run inside its chroot; anything else is refused. */
const chrootCommands = new Set(['apt-get', 'dpkg', 'dpkg-query']);

const debsIn = (dir: string): number => readdirSync(dir).filter((name) => name.endsWith('.deb')).length;

/** A loop device is the build's own only if one of its journalled files backs it. */
async function ownLoop(ctx: OpContext, buildId: string, device: string): Promise<void> {
  if (!/^\/dev\/loop\d+$/.test(device)) throw new Error(`refused: ${device} is not a loop device`);
  for (const resource of build(ctx, buildId).journal.outstanding()) {
    if (resource.kind === 'loop' && (await loopsBackedBy(ctx.run, resource.file)).includes(device)) return;
  }
  throw new Error(`refused: ${device} was not attached by this build`);
}

export const ops: { [O in HelperOp]: Op<O> } = {
  ...deployOps,
  ...reproducibleOps,
  ...baseCacheOps,
  ...cacheOps,
  ...tftpOps,
  async 'build.open'({ buildId, outputDir, owner }, ctx) {
    if (ctx.builds.has(buildId)) throw new Error(`build ${buildId} is open already`);
    // Checked and opened once, here: every later step reaches the folder through this handle only.
    const { operatorUid } = ctx;
    const output = openOutputFolder(outputDir, { roots: ctx.outputRoots, operatorUid, create: true });
    try {
      const open = openBuild(ctx.workspace, buildId, output, { ...owner, operatorUid, ...(ctx.session ? { session: ctx.session } : {}) });
      ctx.builds.set(buildId, open);
      return { dir: open.dir, cacheDir: ctx.workspace.cacheDir };
    } catch (error) {
      output.close();
      throw error;
    }
  },

  async 'file.sparse'({ buildId, path, bytes }, ctx) {
    const file = inBuild(ctx, buildId, path);
    build(ctx, buildId).journal.acquire({ kind: 'file', path: file });
    writeFileSync(file, '', { flag: 'wx', mode: 0o644 });
    truncateSync(file, bytes);
    return { path: file };
  },

  async 'loop.attach'({ buildId, file, readOnly }, ctx) {
    const backing = inBuild(ctx, buildId, file);
    build(ctx, buildId).journal.acquire({ kind: 'loop', file: backing });
    return { device: await attachLoop(ctx.run, backing, { readOnly }) };
  },

  async mkfs({ buildId, device, fs }, ctx) {
    await ownLoop(ctx, buildId, device);
    await makeFs(ctx.run, fs, device);
    return {};
  },

  async 'dir.make'({ buildId, path }, ctx) {
    mkdirSync(inBuild(ctx, buildId, path), { recursive: true, mode: 0o755 });
    return {};
  },

  async mount({ buildId, source, target, type, readOnly }, ctx) {
    const point = inBuild(ctx, buildId, target);
    if (type !== 'proc') await ownLoop(ctx, buildId, source);
    build(ctx, buildId).journal.acquire({ kind: 'mount', target: point });
    // noload: a read-only ext3/4 mount would still replay the journal, which writes to the device.
    // nobarrier (ext3/4, read-write: a build's scratch image): an fsync (dpkg's database, per package) stops at the loop
    // device instead of flushing the host's disk; nothing in a scratch image is durable, the artifact is fsynced once packed.
    const options = readOnly ? ['-o', type === 'ext2' ? 'ro' : 'ro,noload'] : type === 'ext2' ? [] : ['-o', 'nobarrier'];
    if (type === 'proc') await must(ctx, 'mount -t proc', 'mount', ['-t', 'proc', 'proc', point]);
    else await must(ctx, `mount ${source}`, 'mount', ['-t', type, ...options, source, point]);
    return {};
  },

  async 'loop.autoclear'({ buildId, device, file }, ctx) {
    const backing = inBuild(ctx, buildId, file);
    if (!(await loopsBackedBy(ctx.run, backing)).includes(device)) throw new Error(`refused: ${device} is not backed by ${backing}`);
    await detachLoop(ctx.run, device);
    return {};
  },

  async debootstrap({ buildId, suite, mirror, variant, arch, target, debCache, epoch, tool }, ctx) {
    const root = inBuild(ctx, buildId, target);
    const cache = ctx.workspace.confine(debCache, [ctx.workspace.cacheDir]);
    // With partial/ present, debootstrap downloads there and moves a .deb in only once its checksum matched.
    mkdirSync(join(cache, 'partial'), { recursive: true, mode: 0o755 });
    const before = debsIn(cache);
    ctx.log(before === 0 ? `deb cache empty: every package is downloaded into ${cache}` : `deb cache hit: ${before} .deb(s) in ${cache}, each verified before use`);
    if (tool === 'mmdebstrap') {
      await mmdebstrap(ctx, buildId, { suite, mirror, variant, arch, root, cache, epoch });
    } else {
      // One pass straight into the image (no tarball made, then unpacked again): a cold build runs debootstrap once.
      const args = [`--variant=${variant}`, `--arch=${arch}`, `--cache-dir=${cache}`, suite, root, mirror];
      const prefetch = startPrefetch(ctx, buildId, { mirror, suite, arch, variant, cacheDir: cache });
      try {
        const result = await ctx.run('debootstrap', args, epoch === undefined ? {} : { env: { SOURCE_DATE_EPOCH: String(epoch) } });
        if (result.exitCode !== 0) throw commandError('debootstrap', result);
      } finally {
        await prefetch.stop();
      }
    }
    ctx.log(`deb cache: ${debsIn(cache) - before} .deb(s) downloaded`);
    return {};
  },

  async 'chroot.exec'({ buildId, root, argv, epoch }, ctx) {
    const dir = inBuild(ctx, buildId, root);
    const [command] = argv;
    if (!command || !chrootCommands.has(command)) throw new Error(`refused: ${command} is not a command builds may run in the chroot`);
    // Options could make apt run commands of their own (-o APT::Update::Pre-Invoke=…): none are passed through.
    if (argv.slice(1).some((arg) => /^(-o|-c|--option|--config-file)/.test(arg))) throw new Error('refused: apt configuration options are not passed into the chroot');
    const result = await ctx.run('/usr/sbin/chroot', [dir, ...argv], {
      env: { DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', HOME: '/root', ...(epoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(epoch) }) },
      cleanEnv: true,
    });
    if (result.exitCode !== 0) throw commandError(argv.join(' '), result);
    return { stdout: result.stdout };
  },

  async 'file.write'({ buildId, path, content, mode }, ctx) {
    const open = build(ctx, buildId);
    // The directory must lie inside; the name itself may be a link (an image's /etc/resolv.conf): it is replaced, not followed.
    const output = open.output?.holds(path) ? open.output : null;
    const file = output ? output.at(basename(path)) : join(ctx.workspace.confine(dirname(path), [open.dir]), basename(path));
    if (!output) mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    // Written beside (exclusively, at a random name) and renamed over: a link at the path is replaced, never followed.
    const temp = exclusiveTemp(file);
    writeFileSync(temp, content, { mode, flag: 'wx' });
    // Into the output folder (the metadata, written last): on the disk before its name says the build is complete.
    if (output) fsyncFile(temp);
    try {
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    return {};
  },

  async 'file.remove'({ buildId, path }, ctx) {
    const open = build(ctx, buildId);
    rmSync(open.output?.holds(path) ? open.output.at(basename(path)) : ctx.workspace.confine(path, [open.dir]), { force: true });
    return {};
  },

  async 'file.read'({ buildId, path }, ctx) {
    const file = inBuild(ctx, buildId, path);
    if (statSync(file).size > 64 << 20) throw new Error(`${file} is larger than 64 MiB`);
    return { content: readFileSync(file, 'utf8') };
  },

  async 'chroot.stop'({ buildId, root }, ctx) {
    const stopped = await stopChrooted(inBuild(ctx, buildId, root));
    if (stopped.terminated.length > 0) ctx.log(`stopped chrooted processes: TERM ${stopped.terminated.join(' ')}; KILL ${stopped.killed.join(' ') || 'none needed'}`);
    return stopped;
  },

  async 'fs.trim'({ buildId, target }, ctx) {
    const point = inBuild(ctx, buildId, target);
    // Only an image this build mounted: fstrim reaches whatever file system is mounted there.
    if (!build(ctx, buildId).journal.outstanding().some((r) => r.kind === 'mount' && r.target === point)) throw new Error(`refused: ${point} is not mounted by this build`);
    const result = await ctx.run('fstrim', ['-v', '--', point]);
    if (result.exitCode !== 0) throw commandError('fstrim', result);
    ctx.log(result.stdout.trim());
    return {};
  },

  async umount({ buildId, target }, ctx) {
    const point = inBuild(ctx, buildId, target);
    await releaseResource(ctx.run, { kind: 'mount', target: point });
    build(ctx, buildId).journal.release({ kind: 'mount', target: point });
    return {};
  },

  async 'loop.detach'({ buildId, file }, ctx) {
    const backing = inBuild(ctx, buildId, file);
    const left = await loopsLeft(ctx.run, backing);
    await releaseResource(ctx.run, { kind: 'loop', file: backing });
    build(ctx, buildId).journal.release({ kind: 'loop', file: backing });
    return { detached: left };
  },

  async 'fs.shrink'({ buildId, file, fsType, epoch, newUuid }, ctx) {
    const image = inBuild(ctx, buildId, file);
    if ((await loopsBackedBy(ctx.run, image)).length > 0) throw new Error(`refused: ${image} is still attached to a loop device`);
    const bytes = await finishAndShrink(ctx.run, fsType, image, ctx.log, { newUuid, ...(epoch === undefined ? {} : { env: fakeTimeEnv(epoch) }) });
    truncateSync(image, bytes);
    return { bytes };
  },

  async 'artifact.pack'({ buildId, source, dest, container }, ctx) {
    const open = build(ctx, buildId);
    const raw = inBuild(ctx, buildId, source);
    const { folder, name } = outputName(open, dest);
    const partialName = `${name}.partial-${buildId}`;
    open.journal.acquire({ kind: 'file', path: join(folder.path, partialName) });
    const partial = folder.at(partialName);
    if (container !== 'raw') {
      const compressor = compressorFor(container);
      ctx.log(`compressing with ${basename(compressor.file)} ${compressor.args.join(' ')}`);
      return packWith(compressor, raw, partial, (done, total) => ctx.log(`compressed ${Math.round((100 * done) / total)}% of ${raw}`), ctx.signal);
    }
    // Exclusive: a link planted at the partial name fails the copy instead of redirecting it.
    copyFileSync(raw, partial, fsConstants.COPYFILE_EXCL);
    fsyncFile(partial);
    const digest = await digestFile(partial);
    return { raw: digest, container: digest };
  },

  /** The packed artifact replaces any earlier one by rename(2): readers see the old file or the new, never half. */
  async 'artifact.place'({ buildId, dest }, ctx) {
    const open = build(ctx, buildId);
    const { folder, name } = outputName(open, dest);
    // Packed by a command in the build's private directory (tree.pack), or by the helper itself beside the target.
    const staged = stagedPath(open, name);
    if (existsSync(staged)) {
      folder.moveIn(staged, name);
      open.journal.release({ kind: 'file', path: staged });
    } else {
      renameSync(folder.at(`${name}.partial-${buildId}`), folder.at(name));
      open.journal.release({ kind: 'file', path: join(folder.path, `${name}.partial-${buildId}`) });
    }
    return { path: resolve(dest) };
  },

  async 'build.close'({ buildId }, ctx) {
    const open = build(ctx, buildId);
    // A daemon a maintainer script left running would keep the mounts busy.
    await stopChrooted(open.dir);
    const result = await releaseAll(ctx.run, open, ctx.log);
    ctx.builds.delete(buildId);
    return result;
  },

  async recover({ buildIds }, ctx) {
    const cleaned: string[] = [];
    const failed: string[] = [];
    for (const id of buildIds) {
      if (ctx.builds.has(id) || !existsSync(ctx.workspace.buildDir(id))) continue;
      const left = reopenBuild(ctx.workspace, id, ctx.outputRoots, ctx.log);
      await stopChrooted(left.dir);
      const result = await releaseAll(ctx.run, left, ctx.log);
      cleaned.push(...result.released.map((what) => `${id}: released ${what}`));
      failed.push(...result.failed.map((what) => `${id}: ${what}`));
      // A build dir whose journal was lost still goes; it holds nothing mounted (checked).
      if (existsSync(left.dir)) await releaseResource(ctx.run, { kind: 'dir', path: left.dir }).catch((error: Error) => failed.push(`${id}: ${error.message}`));
    }
    return { cleaned, failed };
  },
};
