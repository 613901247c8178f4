import { z } from 'zod';
import { reservedExtensionEnv } from '../../shared/contract/deploy.js';
import { Artifact } from '../../shared/contract/builds.js';
import { TftpEntry, TftpName } from '../../shared/contract/publish.js';

/**
 * The privileged helper's whole API: these operations and nothing else, each
 * declared once as `{ args, result }`: the helper checks the arguments, the
 * caller checks the result. Every path is confined to the build workspace (or
 * the job's output folder). JSON lines over stdio.
 */
const buildId = z.string().regex(/^[a-z0-9-]{6,64}$/, 'not a build id');
const path = z.string().min(1);
const loopDevice = z.string().regex(/^\/dev\/loop\d+$/);
const digest = z.object({ size: z.number().int().nonnegative(), md5: z.string(), sha256: z.string() });
/** What an operation that only does something answers. */
const none = z.object({}).strict();
/** SOURCE_DATE_EPOCH: whole seconds, within an ext inode's 32 bits. */
const epoch = z.number().int().min(0).max(2 ** 32 - 1);
const mkfsFs = z.object({ fsType: z.enum(['ext4', 'ext3', 'ext2']), label: z.string().optional(), options: z.array(z.string()), name: z.string(), size: z.number(), mountPoint: z.string() });
const baseKey = z.string().regex(/^[0-9a-f]{32}$/, 'not a base key');
const imageName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'not an image name');
const released = z.object({ released: z.array(z.string()), failed: z.array(z.string()) });

export const helperOps = {
  /** Create the build's directory, its journal, and record the output directory it may write to. */
  'build.open': { args: z.object({ buildId, outputDir: path, owner: z.object({ pid: z.number().int(), startTime: z.string() }) }), result: z.object({ dir: z.string(), cacheDir: z.string() }) },
  'file.sparse': { args: z.object({ buildId, path, bytes: z.number().int().positive() }), result: z.object({ path: z.string() }) },
  /** Read-only: the file may be a built image outside the workspace (a deploy's lower layer). */
  'loop.attach': { args: z.object({ buildId, file: path, readOnly: z.boolean().default(false) }), result: z.object({ device: loopDevice }) },
  'mkfs': { args: z.object({
    buildId,
    device: z.string().regex(/^\/dev\/loop\d+$/),
    fs: mkfsFs,
  }), result: none },
  'dir.make': { args: z.object({ buildId, path }), result: none },
  'mount': { args: z.object({ buildId, source: z.string(), target: path, type: z.enum(['ext4', 'ext3', 'ext2', 'proc']), readOnly: z.boolean().default(false) }), result: none },
  /** Detach a mounted loop device: the kernel then frees it with its last unmount (autoclear). */
  'loop.autoclear': { args: z.object({ buildId, device: z.string().regex(/^\/dev\/loop\d+$/), file: path }), result: none },
  'debootstrap': { args: z.object({
    buildId,
    suite: z.string(),
    mirror: z.string(),
    variant: z.enum(['minbase', 'buildd', 'standard']),
    arch: z.string(),
    target: path,
    /**
     * The mirror's .deb cache, shared by builds (debootstrap --cache-dir): each
     * .deb is checked against the signed Packages index before use, and lands
     * there only once verified, so a crash leaves nothing a later build trusts.
     */
    debCache: path,
    /** Reproducible builds: SOURCE_DATE_EPOCH for dpkg's maintainer scripts (shadow's last-change day honours it). */
    epoch: epoch.optional(),
    /** Which tool installs the base system (the spec's `bootstrap`). */
    tool: z.enum(['mmdebstrap', 'debootstrap']).default('debootstrap'),
  }), result: none },
  /** Runs with a fixed environment: nothing from the caller reaches PATH or the loader. */
  'chroot.exec': { args: z.object({ buildId, root: path, argv: z.array(z.string()).min(1), epoch: epoch.optional() }), result: z.object({ stdout: z.string() }) },
  'file.write': { args: z.object({ buildId, path, content: z.string(), mode: z.number().int().min(0).max(0o7777) }), result: none },
  'file.remove': { args: z.object({ buildId, path }), result: none },
  'file.read': { args: z.object({ buildId, path }), result: z.object({ content: z.string() }) },
  'chroot.stop': { args: z.object({ buildId, root: path }), result: z.object({ terminated: z.array(z.number().int()), killed: z.array(z.number().int()) }) },
  /** Discard a mounted image's free blocks: they become holes in the sparse file, zeros that compress to nothing. */
  'fs.trim': { args: z.object({ buildId, target: path }), result: none },
  'umount': { args: z.object({ buildId, target: path }), result: none },
  'loop.detach': { args: z.object({ buildId, file: path }), result: z.object({ detached: z.array(z.string()) }) },
  /** newUuid: a file system copied from a base image gets a UUID of its own. */
  'fs.shrink': { args: z.object({ buildId, file: path, fsType: z.enum(['ext4', 'ext3', 'ext2']), epoch: epoch.optional(), newUuid: z.boolean().default(false) }), result: z.object({ bytes: z.number().int().nonnegative() }) },
  /** The base image cache (base-cache-ops.ts): each image file copied from the cache, when a fresh base is there. */
  'base.restore': {
    args: z.object({ buildId, key: baseKey, images: z.array(z.object({ name: imageName, file: path })).min(1) }),
    result: z.object({ restored: z.boolean(), ageSeconds: z.number().int().nonnegative().nullable() }),
  },
  /** Each mounted image synced and copied into the cache as the base for its key. */
  'base.save': { args: z.object({ buildId, key: baseKey, images: z.array(z.object({ name: imageName, file: path, target: path })).min(1) }), result: none },
  /**
   * Reproducible builds: the tree of a file system this build mounted read-only
   * copied into a new image file by `mke2fs -d`, its times fixed to the epoch.
   */
  'fs.populate': {
    args: z.object({ buildId, source: path, file: path, fs: mkfsFs, epoch, uuid: z.string().uuid(), hashSeed: z.string().uuid() }),
    result: z.object({ inodes: z.number().int().nonnegative(), unnamed: z.number().int().nonnegative() }),
  },
  /** Sums of the raw image and the container, written beside dest as a partial file. */
  'artifact.pack': { args: z.object({ buildId, source: path, dest: path, container: z.enum(['gzip', 'zstd', 'raw']) }), result: z.object({ raw: digest, container: digest }) },
  'artifact.place': { args: z.object({ buildId, dest: path }), result: z.object({ path: z.string() }) },
  /** A built image (under an output root) staged in the job's directory: gzip unpacked, raw linked or copied. */
  'image.stage': { args: z.object({ buildId, image: path, dest: path }), result: z.object({ bytes: z.number().int().nonnegative(), container: z.enum(['gzip', 'raw']) }) },
  'overlay.mount': { args: z.object({ buildId, lower: path, upper: path, work: path, target: path }), result: none },
  /** A configuration extension: an executable given the tree's path and an environment, nothing else. */
  'extension.run': { args: z.object({
    buildId,
    executable: path,
    root: path,
    env: z.record(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        // Checked again here, at the root boundary: the helper trusts no caller.
        .refine((name) => !reservedExtensionEnv.test(name), 'is not an extension environment variable'),
      z.string(),
    ),
    timeoutMs: z.number().int().positive().max(6 * 60 * 60 * 1000),
  }), result: none },
  /** The tree packed as a tarball or a new ext file system image, written as dest's partial file. */
  'tree.pack': { args: z.object({ buildId, root: path, dest: path, format: z.enum(['tar', 'rawdisk']) }), result: z.object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() }) },
  /** The newest /boot/vmlinuz-* and its initrd copied out of a tree into the job's directory. */
  'boot.extract': {
    args: z.object({ buildId, root: path, dest: path }),
    /** `diskless`: what the image lacks to boot from a fetched root image (null: nothing). */
    result: z.object({ kernel: z.string(), initrd: z.string(), kernelName: z.string(), diskless: z.string().nullable() }),
  },
  /** The tree as a squashfs root image (zstd) in the job's directory, for diskless netboot. */
  'root.squash': { args: z.object({ buildId, root: path, dest: path }), result: z.object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() }) },
  /**
   * A build host's TFTP tree (under its output roots): the job's kernel, initrd
   * and root image published there as on this machine (an immutable version,
   * the purpose switched by one rename), the pxelinux boot loader put beside it.
   */
  'tftp.publish': {
    args: z.object({
      buildId,
      tftpRoot: path,
      target: z.object({ arch: TftpName, subarch: TftpName, release: TftpName, purpose: TftpName }),
      kernel: path,
      initrd: path,
      root: z.object({ path, sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
      origin: z.object({ source: z.string().nullable(), kernelName: z.string().nullable() }),
      graceMs: z.number().int().nonnegative(),
    }),
    result: z.object({ status: z.enum(['published', 'unchanged']), entry: TftpEntry, pruned: z.array(z.string()), loader: z.string().nullable() }),
  },
  /** A build host's TFTP tree as it is now (empty when there is none yet). */
  'tftp.list': { args: z.object({ tftpRoot: path }), result: z.object({ entries: z.array(TftpEntry) }) },
  /** A purpose of a build host's tree back at a version it kept: the same one-rename switch. */
  'tftp.rollback': {
    args: z.object({ tftpRoot: path, target: z.object({ arch: TftpName, subarch: TftpName, release: TftpName, purpose: TftpName }), version: z.string().regex(/^[A-Za-z0-9._+-]+-[0-9a-f]{16}$/) }),
    result: z.object({ version: z.string(), previous: z.string().nullable(), entry: TftpEntry.nullable() }),
  },
  /** Release everything the build still holds, in reverse order, and remove its directory. */
  'build.close': { args: z.object({ buildId }), result: released },
  /** Release what builds left behind when their Slipway died (the caller checked the owners are gone). */
  'recover': { args: z.object({ buildIds: z.array(buildId) }), result: z.object({ cleaned: z.array(z.string()), failed: z.array(z.string()) }) },
  /** A spec-hash cache hit in an output folder of the helper's machine (a build host's): the artifacts, or null. */
  'cache.lookup': {
    args: z.object({ outputDir: path, name: imageName, imageCount: z.number().int().positive().max(64), specHash: z.string().regex(/^[0-9a-f]{64}$/, 'not a spec hash') }),
    result: z.object({ hit: z.object({ artifacts: z.array(Artifact), metadataPath: z.string() }).nullable() }),
  },
} as const;

export type HelperOp = keyof typeof helperOps;
/** What a caller passes (defaults may be left out). */
export type HelperArgs<O extends HelperOp> = z.input<(typeof helperOps)[O]['args']>;
/** What an operation gets, defaults filled in. */
export type HelperParsedArgs<O extends HelperOp> = z.output<(typeof helperOps)[O]['args']>;
/** What an operation answers; checked by the caller on receipt. */
export type HelperResult<O extends HelperOp> = z.output<(typeof helperOps)[O]['result']>;
/** The arguments of an operation on a job, without the job's id (the job's runner adds it). */
export type JobArgs<O extends HelperOp> = Omit<HelperArgs<O>, 'buildId'>;

export const ToHelper = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int(), op: z.string(), args: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: z.number().int() }),
  /** Release everything and exit (a detached helper outlives its connection: ending stdin is not enough). */
  z.object({ type: z.literal('close') }),
]);
export type ToHelper = z.infer<typeof ToHelper>;

/** A session id: names a detached helper's folder on its host (sessions/<id>/). */
export const sessionId = z.string().regex(/^[0-9a-f]{16}$/, 'not a helper session id');

/**
 * The first line on a detached helper's socket (written by the bridge the
 * console's exec channel runs): replay everything after sequence `after`.
 */
export const AttachRequest = z.object({ type: z.literal('attach'), after: z.number().int().nonnegative() });

/** `seq`: a detached helper numbers what it says (journalled on its host), so a console that re-attaches misses nothing and sees nothing twice. */
const seq = z.number().int().positive().optional();

export const FromHelper = z.union([
  z.object({
    type: z.literal('ready'),
    pid: z.number().int(),
    namespaced: z.boolean(),
    uid: z.number().int(),
    /**
     * A detached helper's: the last sequence number it has said, the oldest it can still replay, what it released at its
     * start (builds of dead sessions), and the highest call id it has been sent (a console that restarted numbers its calls after it).
     */
    session: z
      .object({ id: sessionId, seq: z.number().int().nonnegative(), oldest: z.number().int().positive(), recovered: z.array(z.string()), lastCall: z.number().int().nonnegative() })
      .optional(),
  }),
  z.object({ type: z.literal('log'), id: z.number().int(), stream: z.enum(['out', 'err', 'info']), text: z.string(), seq }),
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(true), value: z.unknown(), seq }),
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(false), error: z.string(), cancelled: z.boolean(), seq }),
]);
export type FromHelper = z.infer<typeof FromHelper>;
