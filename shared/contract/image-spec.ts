import { z } from 'zod';
import { netbootFiles, netbootPackages } from '../builds/netboot-image.js';

/**
 * The image spec: one schema for the YAML file, the UI form and the CLI.
 * Pure (no host facts): defaults that depend on the host, such as the mirror,
 * are filled in by the backend.
 */

const units: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "512M", "2G", "1.5GiB", "1073741824" → bytes, or null. */
export function parseSize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(value);
  if (!match) return null;
  const bytes = Math.floor(Number(match[1]) * (units[(match[2] ?? '').toUpperCase()] ?? 1));
  return bytes > 0 ? bytes : null;
}

/** Names end up in file names and command arguments: no `/`, no `..`, nothing a shell would read. */
const safeName = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'only letters, digits, ".", "_" and "-", starting with a letter or digit')
  .refine((name) => !name.includes('..'), 'must not contain ".."');

const absolutePath = z
  .string()
  .refine((p) => p.startsWith('/'), 'must be an absolute path')
  .refine((p) => !p.split('/').some((part) => part === '..' || part === '.'), 'must not contain "." or ".." parts')
  .refine((p) => p === '/' || (!p.endsWith('/') && !p.includes('//')), 'must be normalised (no trailing or double "/")')
  .refine((p) => !/[\0\n]/.test(p), 'must not contain NUL or newlines');

const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === null) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (examples: 512M, 2G, 1073741824)` });
    return z.NEVER;
  }
  if (bytes < 16 * 1024 ** 2) {
    ctx.addIssue({ code: 'custom', message: 'must be at least 16M' });
    return z.NEVER;
  }
  return bytes;
});

const uri = z.string().regex(/^(https?|file):\/\/[^\s'"`$;|&<>\\]+$/, 'must be an http://, https:// or file:// URL without spaces or shell characters');
const suite = z.string().regex(/^[a-z][a-z0-9.-]*$/, 'must be a Debian suite name such as bookworm');

export const FsType = z.enum(['ext4', 'ext3', 'ext2']);

export const ImageFs = z.object({
  name: safeName,
  size,
  fsType: FsType.default('ext4'),
  /**
   * Extra mkfs arguments, each one argument: tuning flags and their values only.
   * Nothing that reads or writes host files (-d copies a directory in, -z writes an undo file).
   */
  options: z
    .array(z.string().regex(/^(-[bCEgGiIjJmNOTUe]|[A-Za-z0-9^=,._:+][A-Za-z0-9^=,._:+-]*)$/, 'must be a tuning flag (-b -C -E -g -G -i -I -j -J -m -N -O -T -U -e) or its value'))
    .default([]),
  label: z.string().max(16, 'an ext label holds at most 16 characters').regex(/^[A-Za-z0-9._-]*$/, 'only letters, digits, ".", "_" and "-"').optional(),
  mountPoint: absolutePath,
}).strict(); // every level is strict, not only the top: a misspelt key (`fstype`) is an error, not silently a default

export const Repo = z.object({
  name: safeName,
  uri,
  suite,
  section: z.string().regex(/^[a-z0-9/-]+( [a-z0-9/-]+)*$/, 'must be components separated by spaces, such as "main contrib"').default('main'),
  priority: z.number().int().min(-1000).max(1001).nullable().default(null),
}).strict();

const packageName = z.string().regex(/^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$/, 'must be a Debian package name, optionally =version');

export const PostInstall = z.object({
  hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a host name label (a-z, 0-9, "-")').optional(),
  rootAuthorizedKeys: z.array(z.string().regex(/^(ssh-|ecdsa-|sk-)[\w@.-]+ [A-Za-z0-9+/=]+( [^\n]*)?$/, 'must be one public key line')).default([]),
  files: z
    .array(
      z.object({
        path: absolutePath,
        content: z.string(),
        mode: z.string().regex(/^0?[0-7]{3,4}$/, 'must be an octal mode such as 0644').default('0644'),
      }).strict(),
    )
    .default([]),
}).strict();

export const ImageSpec = z
  .object({
    name: safeName,
    suite,
    /** Empty: the Debian mirror this host's apt sources use. */
    mirror: uri.optional(),
    variant: z.enum(['minbase', 'buildd', 'standard']).default('minbase'),
    /**
     * What installs the base system: mmdebstrap (apt resolves, one dpkg run for
     * the essential set: about half of debootstrap's time, bench/build) or
     * debootstrap, the tool fuel-agent and diskimage-builder run. Both check the
     * archive's signature; the same package set for each variant.
     */
    bootstrap: z.enum(['mmdebstrap', 'debootstrap']).default('mmdebstrap'),
    arch: z.string().regex(/^[a-z0-9]+$/, 'must be a Debian architecture such as amd64').default('amd64'),
    repos: z.array(Repo).default([]),
    packages: z.array(packageName).default([]),
    images: z.array(ImageFs).min(1, 'at least one file system is needed'),
    postInstall: PostInstall.default({ rootAuthorizedKeys: [], files: [] }),
    /** Bootable from the network: a kernel, live-boot, systemd and Slipway's phone-home are added (shared/builds/netboot-image.ts). */
    netboot: z.boolean().default(false),
    /**
     * Reproducible builds (reproducible-builds.org's SOURCE_DATE_EPOCH): every
     * timestamp in the image is clamped to it and the file systems' UUIDs and
     * hash seeds come from the spec, so two builds of the spec are the same bytes.
     * `slipway build` takes it from SOURCE_DATE_EPOCH when the spec has none.
     */
    sourceDateEpoch: z
      .number({ error: 'must be whole seconds since 1970-01-01 (as SOURCE_DATE_EPOCH)' })
      .int('must be whole seconds since 1970-01-01 (as SOURCE_DATE_EPOCH)')
      .min(0, 'must be whole seconds since 1970-01-01 (as SOURCE_DATE_EPOCH)')
      .max(2 ** 32 - 1, 'must be before 2106 (an ext inode time holds 32 bits of seconds)')
      .optional(),
    // gzip by default (every deploy tool reads it); zstd compresses faster on every core.
    output: z.object({ dir: absolutePath, container: z.enum(['gzip', 'zstd', 'raw']).default('gzip') }).strict(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Map<string, number>();
    spec.images.forEach((fs, index) => {
      const first = seen.get(fs.mountPoint);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['images', index, 'mountPoint'], message: `duplicate mount point ${fs.mountPoint} (also images.${first})` });
      }
      seen.set(fs.mountPoint, index);
    });
    if (!seen.has('/')) ctx.addIssue({ code: 'custom', path: ['images'], message: 'one file system must be mounted at /' });
    const names = new Set<string>();
    spec.images.forEach((fs, index) => {
      if (names.has(fs.name)) ctx.addIssue({ code: 'custom', path: ['images', index, 'name'], message: `duplicate image name ${fs.name}` });
      names.add(fs.name);
    });
  })
  .transform((spec) => {
    if (!spec.netboot) return spec;
    const packages = [...spec.packages, ...netbootPackages(spec.arch).filter((name) => !spec.packages.some((p) => p.split('=')[0] === name))];
    const files = [...spec.postInstall.files, ...netbootFiles.filter((file) => !spec.postInstall.files.some((f) => f.path === file.path))];
    return { ...spec, packages, postInstall: { ...spec.postInstall, files } };
  });

export type ImageSpecInput = z.input<typeof ImageSpec>;
export type ImageSpec = z.output<typeof ImageSpec>;

export interface SpecProblem {
  field: string;
  message: string;
}

export function specProblems(error: z.ZodError): SpecProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(spec)', message: issue.message }));
}

/** Mount order: shallowest first, as fuel-agent does (/, /boot, /var, /var/lib/mysql). */
export function mountDepth(mountPoint: string): number {
  return mountPoint === '/' ? 0 : mountPoint.split('/').length - 1;
}
