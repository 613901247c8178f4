import { join } from 'node:path';
import { stringify } from 'yaml';
import { mountDepth, type ImageSpec, type StepId } from '../../shared/contract/index.js';
import type { BuildContext, ImageFs } from './build-context.js';
import { buildMetadata } from './build-metadata.js';
import { specHash } from './spec-hash.js';
import { aptBuildConf, aptPreferences, policyRcD, sourcesList } from './apt-config.js';
import { parseDpkgStatus } from './dpkg-status.js';
import { removeBuildRecords, repack } from './reproducible-steps.js';

type Step = (ctx: BuildContext) => Promise<string | undefined>;

const inRoot = (ctx: BuildContext, path: string) => join(ctx.root, path);
/** SOURCE_DATE_EPOCH for the helper's commands, when the build is reproducible. */
const epochOf = (ctx: BuildContext) => (ctx.spec.sourceDateEpoch === undefined ? {} : { epoch: ctx.spec.sourceDateEpoch });
const apt = (ctx: BuildContext, ...argv: string[]) => ctx.call('chroot.exec', { root: ctx.root, argv: ['apt-get', ...argv], ...epochOf(ctx) });

const containerSuffix = { gzip: '.gz', zstd: '.zst', raw: '' } as const;

function artifactName(spec: ImageSpec, fs: ImageFs): string {
  return `${spec.name}.${fs.name}.img${containerSuffix[spec.output.container]}`;
}

/**
 * What a base image is made of: the same key, the same file systems as
 * debootstrap leaves them. The version: a Slipway that builds bases differently
 * never reuses another's.
 */
function baseKey(ctx: BuildContext): string {
  const { suite, variant, arch, images, sourceDateEpoch, bootstrap } = ctx.spec;
  // The epoch too: debootstrap's scripts read it (shadow's last-change day), so a reproducible base is its own.
  return specHash({ base: 1, version: ctx.version, mirror: ctx.mirror, suite, variant, arch, images, sourceDateEpoch: sourceDateEpoch ?? null, bootstrap }).slice(0, 32);
}

/**
 * Build-time only, read by every dpkg in the chroot (debootstrap's second stage
 * and apt's): no fsync per unpacked file. A build that dies leaves a scratch
 * image nobody ships; what ships (the container, then the metadata) is fsynced
 * by the helper before its rename.
 */
const dpkgUnsafeIo = { path: 'etc/dpkg/dpkg.cfg.d/90slipway-unsafe-io', content: '# Slipway build time only: removed before the image is finished.\nforce-unsafe-io\n' };

async function writeInImage(ctx: BuildContext, path: string, content: string, mode = 0o644): Promise<void> {
  await ctx.call('file.write', { path: inRoot(ctx, path), content, mode });
}

/** fuel-agent's do_build_image, one named step each, in order. */
export const pipelineSteps: Record<StepId, Step> = {
  async 'sparse-files'(ctx) {
    const opened = await ctx.call('build.open', { outputDir: ctx.spec.output.dir, owner: ctx.owner });
    ctx.dir = opened.dir;
    ctx.cacheDir = opened.cacheDir;
    ctx.root = join(ctx.dir, 'root');
    for (const fs of ctx.spec.images) {
      const target = fs.mountPoint === '/' ? ctx.root : inRoot(ctx, fs.mountPoint);
      ctx.images.push({ fs, file: join(ctx.dir, `${fs.name}.img`), target, device: null, dest: join(ctx.spec.output.dir, artifactName(ctx.spec, fs)), sums: null });
    }
    const base = await ctx.call('base.restore', { key: baseKey(ctx), images: ctx.images.map((i) => ({ name: i.fs.name, file: i.file })) });
    ctx.baseReused = base.restored;
    if (base.restored) return `base image reused (made ${Math.round(base.ageSeconds! / 60)} min ago): ${ctx.images.length} file(s) copied from the cache`;
    for (const image of ctx.images) await ctx.call('file.sparse', { path: image.file, bytes: image.fs.size });
    return `${ctx.images.length} sparse file(s) in ${ctx.dir}`;
  },

  async 'loop-devices'(ctx) {
    for (const image of ctx.images) {
      image.device = (await ctx.call('loop.attach', { file: image.file })).device;
      ctx.log(`${image.fs.name}: ${image.device} ← ${image.file}`);
    }
    return ctx.images.map((i) => i.device).join(', ');
  },

  async mkfs(ctx) {
    if (ctx.baseReused) return 'base image reused: its file systems are made';
    for (const image of ctx.images) await ctx.call('mkfs', { device: image.device!, fs: image.fs });
    return 'journal off while building; it is added back before shrinking';
  },

  async 'chroot-dir'(ctx) {
    await ctx.call('dir.make', { path: ctx.root });
    return ctx.root;
  },

  async mount(ctx) {
    const byDepth = [...ctx.images].sort((a, b) => mountDepth(a.fs.mountPoint) - mountDepth(b.fs.mountPoint));
    for (const image of byDepth) {
      const { target } = image;
      await ctx.call('dir.make', { path: target });
      await ctx.call('mount', { source: image.device!, target, type: image.fs.fsType });
      ctx.mounts.push(target);
    }
    // Now that each device is mounted, detaching only marks it autoclear: the last unmount frees it, even after a crash.
    for (const image of ctx.images) await ctx.call('loop.autoclear', { device: image.device!, file: image.file });
    return byDepth.map((i) => i.fs.mountPoint).join(' → ');
  },

  async debootstrap(ctx) {
    const { suite, arch, variant, bootstrap } = ctx.spec;
    if (ctx.baseReused) return `base image reused: ${suite} ${variant} ${arch} as ${bootstrap} left it`;
    // debootstrap's second stage reads it; mmdebstrap needs an empty target and takes the option itself.
    if (bootstrap === 'debootstrap') await writeInImage(ctx, dpkgUnsafeIo.path, dpkgUnsafeIo.content);
    // One cache per mirror (a .deb's name is package_version_arch, shared by suites and variants).
    const debCache = join(ctx.cacheDir, 'debs', specHash(ctx.mirror).slice(0, 12));
    await ctx.call('debootstrap', { suite, mirror: ctx.mirror, variant, arch, target: ctx.root, debCache, tool: bootstrap, ...epochOf(ctx) });
    if (bootstrap === 'mmdebstrap') await writeInImage(ctx, dpkgUnsafeIo.path, dpkgUnsafeIo.content);
    // The next build of this base (one that changes only packages) starts from here.
    try {
      await ctx.call('base.save', { key: baseKey(ctx), images: ctx.images.map((i) => ({ name: i.fs.name, file: i.file, target: i.target })) });
    } catch (error) {
      // A cache that cannot be written (a full disk) costs the next build time, not this build: a cancel still stops it.
      if ((error as { cancelled?: boolean }).cancelled) throw error;
      ctx.log(`base image not saved: ${(error as Error).message}`);
      return `${suite} ${variant} ${arch} from ${ctx.mirror} by ${bootstrap}`;
    }
    return `${suite} ${variant} ${arch} from ${ctx.mirror} by ${bootstrap}; saved as the base image for the next build`;
  },

  async 'install-packages'(ctx) {
    await writeInImage(ctx, 'usr/sbin/policy-rc.d', policyRcD, 0o755);
    await writeInImage(ctx, 'etc/apt/sources.list', sourcesList(ctx.spec, ctx.mirror));
    await writeInImage(ctx, 'etc/apt/apt.conf.d/90slipway-build', aptBuildConf);
    const preferences = aptPreferences(ctx.spec);
    if (preferences) await writeInImage(ctx, 'etc/apt/preferences.d/slipway', preferences);
    const proc = inRoot(ctx, 'proc');
    await ctx.call('mount', { source: 'proc', target: proc, type: 'proc' });
    ctx.mounts.push(proc);
    await apt(ctx, 'update');
    if (ctx.spec.packages.length > 0) await apt(ctx, 'install', '-y', ...ctx.spec.packages);
    await apt(ctx, 'clean');
    return ctx.spec.packages.length > 0 ? `installed ${ctx.spec.packages.join(', ')}` : 'no extra packages';
  },

  async 'post-install'(ctx) {
    const { hostname, rootAuthorizedKeys, files } = ctx.spec.postInstall;
    if (hostname) {
      await writeInImage(ctx, 'etc/hostname', `${hostname}\n`);
      await writeInImage(ctx, 'etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
    }
    if (rootAuthorizedKeys.length > 0) {
      await ctx.call('dir.make', { path: inRoot(ctx, 'root/.ssh') });
      await writeInImage(ctx, 'root/.ssh/authorized_keys', `${rootAuthorizedKeys.join('\n')}\n`, 0o600);
    }
    for (const file of files) await writeInImage(ctx, file.path.slice(1), file.content, parseInt(file.mode, 8));
    // Build-time only: services may start and apt behaves as usual once the image boots.
    await ctx.call('file.remove', { path: inRoot(ctx, 'usr/sbin/policy-rc.d') });
    await ctx.call('file.remove', { path: inRoot(ctx, 'etc/apt/apt.conf.d/90slipway-build') });
    await ctx.call('file.remove', { path: inRoot(ctx, dpkgUnsafeIo.path) });
    const status = await ctx.call('file.read', { path: inRoot(ctx, 'var/lib/dpkg/status') });
    ctx.installed = parseDpkgStatus(status.content);
    const removed = ctx.spec.sourceDateEpoch === undefined ? 0 : await removeBuildRecords(ctx);
    return `${ctx.installed.length} packages installed${removed > 0 ? '; logs of the build removed (reproducible)' : ''}`;
  },

  async unmount(ctx) {
    const stopped = await ctx.call('chroot.stop', { root: ctx.root });
    // Blocks freed in the build (debootstrap's and apt's .debs) hold compressed data: punched out, they shrink and compress as zeros.
    for (const target of [...ctx.mounts].reverse()) if (target !== inRoot(ctx, 'proc')) await ctx.call('fs.trim', { target });
    for (const target of [...ctx.mounts].reverse()) {
      await ctx.call('umount', { target });
      ctx.log(`unmounted ${target}`);
    }
    const count = ctx.mounts.length;
    ctx.mounts = [];
    return `${count} unmounted; ${stopped.terminated.length} chrooted process(es) stopped`;
  },

  async detach(ctx) {
    const detached: string[] = [];
    for (const image of ctx.images) detached.push(...(await ctx.call('loop.detach', { file: image.file })).detached);
    return detached.length === 0 ? 'no loop device left (autoclear freed them at unmount)' : `detached ${detached.join(', ')}`;
  },

  async shrink(ctx) {
    const sizes: string[] = [];
    const epoch = ctx.spec.sourceDateEpoch;
    for (const image of ctx.images) {
      if (epoch !== undefined) ctx.log(await repack(ctx, image, epoch));
      // Every build its own file system UUID, as mkfs would have given it (a reproducible one has the spec's, set by the repack).
      const newUuid = ctx.baseReused && epoch === undefined;
      const { bytes } = await ctx.call('fs.shrink', { file: image.file, fsType: image.fs.fsType, newUuid, ...epochOf(ctx) });
      sizes.push(`${image.fs.name} ${(bytes / 2 ** 20).toFixed(0)} MiB`);
    }
    return sizes.join(', ');
  },

  async compress(ctx) {
    for (const image of ctx.images) {
      image.sums = await ctx.call('artifact.pack', { source: image.file, dest: image.dest, container: ctx.spec.output.container });
    }
    return ctx.spec.output.container === 'raw' ? 'raw copy' : `${ctx.spec.output.container}, sums taken in the same pass`;
  },

  async publish(ctx) {
    ctx.metadataPath = join(ctx.spec.output.dir, `${ctx.spec.name}.yaml`);
    // The old metadata goes first: until the new one is written, no reader (nor the cache) trusts a half-replaced set.
    await ctx.call('file.remove', { path: ctx.metadataPath });
    for (const image of ctx.images) {
      await ctx.call('artifact.place', { dest: image.dest });
      const sums = image.sums!;
      ctx.artifacts.push({
        image: image.fs.name,
        path: image.dest,
        container: ctx.spec.output.container,
        rawSize: sums.raw.size,
        rawMd5: sums.raw.md5,
        rawSha256: sums.raw.sha256,
        containerSize: sums.container.size,
        containerMd5: sums.container.md5,
        containerSha256: sums.container.sha256,
      });
    }
    const metadata = buildMetadata({
      spec: ctx.spec,
      mirror: ctx.mirror,
      specHash: ctx.specHash,
      buildId: ctx.buildId,
      builtAt: ctx.now().toISOString(),
      slipwayVersion: ctx.version,
      artifacts: ctx.artifacts,
      installed: ctx.installed,
      steps: ctx.steps,
    });
    await ctx.call('file.write', { path: ctx.metadataPath, content: stringify(metadata), mode: 0o644 });
    return ctx.metadataPath;
  },
};
