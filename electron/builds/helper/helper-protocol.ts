import { z } from 'zod';
import { reservedExtensionEnv } from '../../../shared/contract/deploy.js';

/**
 * The privileged helper's whole API: these operations and nothing else, each
 * with its arguments checked, every path confined to the build workspace (or
 * the build's declared output directory). JSON lines over stdio.
 */
const buildId = z.string().regex(/^[a-z0-9-]{6,64}$/, 'not a build id');
const path = z.string().min(1);

export const helperOps = {
  /** Create the build's directory, its journal, and record the output directory it may write to. */
  'build.open': z.object({ buildId, outputDir: path, owner: z.object({ pid: z.number().int(), startTime: z.string() }) }),
  'file.sparse': z.object({ buildId, path, bytes: z.number().int().positive() }),
  /** Read-only: the file may be a built image outside the workspace (a deploy's lower layer). */
  'loop.attach': z.object({ buildId, file: path, readOnly: z.boolean().default(false) }),
  'mkfs': z.object({
    buildId,
    device: z.string().regex(/^\/dev\/loop\d+$/),
    fs: z.object({ fsType: z.enum(['ext4', 'ext3', 'ext2']), label: z.string().optional(), options: z.array(z.string()), name: z.string(), size: z.number(), mountPoint: z.string() }),
  }),
  'dir.make': z.object({ buildId, path }),
  'mount': z.object({ buildId, source: z.string(), target: path, type: z.enum(['ext4', 'ext3', 'ext2', 'proc']), readOnly: z.boolean().default(false) }),
  /** Detach a mounted loop device: the kernel then frees it with its last unmount (autoclear). */
  'loop.autoclear': z.object({ buildId, device: z.string().regex(/^\/dev\/loop\d+$/), file: path }),
  'debootstrap': z.object({
    buildId,
    suite: z.string(),
    mirror: z.string(),
    variant: z.enum(['minbase', 'buildd', 'standard']),
    arch: z.string(),
    target: path,
    /** Kept base system download, made on first use and reused after. */
    tarball: path,
  }),
  /** Runs with a fixed environment: nothing from the caller reaches PATH or the loader. */
  'chroot.exec': z.object({ buildId, root: path, argv: z.array(z.string()).min(1) }),
  'file.write': z.object({ buildId, path, content: z.string(), mode: z.number().int().min(0).max(0o7777) }),
  'file.remove': z.object({ buildId, path }),
  'file.read': z.object({ buildId, path }),
  'chroot.stop': z.object({ buildId, root: path }),
  'umount': z.object({ buildId, target: path }),
  'loop.detach': z.object({ buildId, file: path }),
  'fs.shrink': z.object({ buildId, file: path, fsType: z.enum(['ext4', 'ext3', 'ext2']) }),
  /** Sums of the raw image and the container, written beside dest as a partial file. */
  'artifact.pack': z.object({ buildId, source: path, dest: path, container: z.enum(['gzip', 'raw']) }),
  'artifact.place': z.object({ buildId, dest: path }),
  /** A built image (under an output root) staged in the job's directory: gzip unpacked, raw linked or copied. */
  'image.stage': z.object({ buildId, image: path, dest: path }),
  'overlay.mount': z.object({ buildId, lower: path, upper: path, work: path, target: path }),
  /** A configuration extension: an executable given the tree's path and an environment, nothing else. */
  'extension.run': z.object({
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
  }),
  /** The tree packed as a tarball or a new ext file system image, written as dest's partial file. */
  'tree.pack': z.object({ buildId, root: path, dest: path, format: z.enum(['tar', 'rawdisk']) }),
  /** The newest /boot/vmlinuz-* and its initrd copied out of a tree into the job's directory. */
  'boot.extract': z.object({ buildId, root: path, dest: path }),
  /** Release everything the build still holds, in reverse order, and remove its directory. */
  'build.close': z.object({ buildId }),
  /** Release what builds left behind when their Slipway died (the caller checked the owners are gone). */
  'recover': z.object({ buildIds: z.array(buildId) }),
} as const;

export type HelperOp = keyof typeof helperOps;
export type HelperArgs<O extends HelperOp> = z.input<(typeof helperOps)[O]>;

export const ToHelper = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int(), op: z.string(), args: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: z.number().int() }),
]);
export type ToHelper = z.infer<typeof ToHelper>;

export const FromHelper = z.union([
  z.object({ type: z.literal('ready'), pid: z.number().int(), namespaced: z.boolean(), uid: z.number().int() }),
  z.object({ type: z.literal('log'), id: z.number().int(), stream: z.enum(['out', 'err', 'info']), text: z.string() }),
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(false), error: z.string(), cancelled: z.boolean() }),
]);
export type FromHelper = z.infer<typeof FromHelper>;
