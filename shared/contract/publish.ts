import { z } from 'zod';
import { command } from './define.js';
import { NodeName } from './node-name.js';

/** arch, subarch, release and purpose become path components: one plain name each. */
export const TftpName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/, 'must be one plain name (letters, digits, ".", "_", "+", "-"; no "/")')
  .refine((value) => !value.includes('..'), 'must not contain ".."');

export const NetbootTarget = z.object({
  arch: TftpName,
  subarch: TftpName.default('generic'),
  release: TftpName,
  purpose: TftpName,
});
export type NetbootTarget = z.output<typeof NetbootTarget>;

/** Where kernel, initrd and root image come from: a finished build's image, or files on this host. */
export const NetbootSource = z.union([
  z.object({ kind: z.literal('build'), buildId: z.string().min(1), image: z.string().optional() }),
  z.object({
    kind: z.literal('files'),
    kernel: z.string().refine((p) => p.startsWith('/'), 'must be an absolute path'),
    initrd: z.string().refine((p) => p.startsWith('/'), 'must be an absolute path'),
    /** A squashfs root image for diskless boot (live-boot fetches it). */
    root: z.string().refine((p) => p.startsWith('/'), 'must be an absolute path').optional(),
  }),
]);
export type NetbootSource = z.infer<typeof NetbootSource>;

/** One purpose of the TFTP tree as it is now. */
export const TftpEntry = z.object({
  arch: z.string(),
  subarch: z.string(),
  release: z.string(),
  purpose: z.string(),
  /** The version directory the purpose link names: `<purpose>-<content hash>`. */
  version: z.string(),
  bytes: z.number().int().nonnegative(),
  /** The root image's size (squashfs, for diskless boot); null for a kernel and initrd only. */
  rootBytes: z.number().int().nonnegative().nullable(),
  publishedAt: z.iso.datetime().nullable(),
  /** The build it came from, or the kernel file's path for a publish from files. */
  source: z.string().nullable(),
  /** The kernel's file name in the source (vmlinuz-6.1.0-27-amd64), for the operator. */
  kernelName: z.string().nullable(),
  /** Superseded versions still kept for their grace period. */
  retained: z.number().int().nonnegative(),
  /** Their names, newest first: what a rollback can go back to. */
  kept: z.array(z.string()),
  /** The pxelinux entry, relative to the TFTP root. */
  bootEntry: z.string(),
});
export type TftpEntry = z.infer<typeof TftpEntry>;

/** An inventory node's name: a build host whose TFTP tree is meant (absent: this machine's). */
export const TreeHost = NodeName;

export const PublishResult = z.object({
  status: z.enum(['published', 'unchanged']),
  entry: TftpEntry,
  /** Superseded versions removed now that their grace period is over. */
  pruned: z.array(z.string()),
  /** The build host it was published on (an image built there is published there); absent: this machine. */
  host: TreeHost.optional(),
  /** The TFTP root it went into (on `host` when set). */
  root: z.string(),
  /** What the operator should know besides (a build host without Debian's pxelinux: no boot loader was put in). */
  note: z.string().optional(),
});

export const TftpTree = z.object({ root: z.string(), host: TreeHost.optional(), graceMinutes: z.number().nonnegative(), entries: z.array(TftpEntry) });
export type TftpTree = z.infer<typeof TftpTree>;

/** "amd64/generic/bookworm/compute" or, on a build host, "… on builder-1": where a publish went, said one way everywhere. */
export function treeWhereText(where: { host?: string | undefined; root: string }): string {
  return where.host === undefined ? where.root : `${where.host}:${where.root}`;
}
export type PublishResult = z.infer<typeof PublishResult>;

export const publishCommands = {
  /** This machine's tree, or (`host`) a build host's, read there by its helper. */
  'publish.tree': command(z.object({ host: TreeHost.optional() }).strict(), TftpTree),
  'publish.netboot': command(z.object({ target: NetbootTarget, source: NetbootSource }).strict(), PublishResult),
};

export const publishEvents = {
  'publish.changed': z.object({ root: z.string(), host: TreeHost.optional(), status: z.enum(['published', 'unchanged']), entry: TftpEntry }),
};
