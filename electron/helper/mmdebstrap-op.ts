import { linkSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type OpContext } from './op-context.js';
import { commandError } from './system/command-error.js';
import { prefetchFirst } from './prefetch/prefetch-op.js';
import { mergesUsr } from './prefetch/debian-index.js';

export interface BootstrapInput {
  suite: string;
  mirror: string;
  variant: 'minbase' | 'buildd' | 'standard';
  arch: string;
  /** The mounted root file system (confined to the build by the caller). */
  root: string;
  /** The mirror's verified .deb cache (confined to the workspace cache by the caller). */
  cache: string;
  epoch?: number | undefined;
}

/**
 * mmdebstrap's special hooks are split with Perl's shellwords, whose single
 * quotes do not read a trailing backslash as sh does: rather than quote, the
 * one path that travels in a hook is refused unless it needs no quoting.
 */
const hookSafePath = /^\/[A-Za-z0-9._/-]+$/;

/** What mmdebstrap's --dpkgopt leaves in the image: removed, the build writes its own (and removes that before shipping). */
const dpkgOptFile = 'etc/dpkg/dpkg.cfg.d/99mmdebstrap';
const dpkgOpt = 'force-unsafe-io';

/**
 * The base system by mmdebstrap (Debian's own successor to debootstrap, used
 * by the reproducible-builds project): apt resolves the set and dpkg installs
 * the essential packages in one `dpkg --install`, where debootstrap resolves in
 * shell and perl and runs dpkg per group. The same set for minbase (Essential,
 * Priority: required, apt), the same signed-index checks (apt's). bench/build
 * measures it against debootstrap on the same machine.
 *
 * The .debs: the prefetch fills the mirror's cache first (each .deb verified
 * against the gpgv-checked index before it enters), then a per-build folder of
 * hard links to exactly this set is synced into the chroot's apt cache
 * (mmdebstrap's `sync-in` hook: its target must start empty, so nothing can
 * be placed there beforehand). apt downloads only what is not there; its own
 * cleanup empties the apt cache (not the package lists) before the step ends.
 */
export async function mmdebstrap(ctx: OpContext, buildId: string, input: BootstrapInput): Promise<void> {
  const { root, cache, suite, mirror, variant, arch } = input;
  if (!hookSafePath.test(cache)) throw new Error(`refused: the .deb cache path ${cache} holds characters mmdebstrap's hooks would split; use a workspace path of letters, digits, ".", "_", "-" and "/"`);
  const present = await prefetchFirst(ctx, buildId, { mirror, suite, arch, variant, cacheDir: cache });
  if (ctx.signal.aborted) throw new Error('cancelled');
  const journal = build(ctx, buildId).journal;
  const stage = join(cache, `stage-${buildId}`);
  journal.acquire({ kind: 'dir', path: stage });
  try {
    mkdirSync(stage, { mode: 0o755 });
    for (const name of present) linkSync(join(cache, name), join(stage, name));
    ctx.log(present.length === 0 ? 'mmdebstrap: no .deb cached for this set; apt downloads each one' : `mmdebstrap: ${present.length} verified .deb(s) from the cache; apt downloads only what is missing`);
    const args = [
      '--mode=root',
      `--variant=${variant}`,
      `--architectures=${arch}`,
      `--dpkgopt=${dpkgOpt}`,
      // The package lists apt just fetched stay: the install step's apt-get update then finds them current
      // (the mirror answers "not modified") instead of fetching the index again. The image keeps lists either way.
      '--skip=cleanup/apt/lists',
      // Where debootstrap merges /usr without the usrmerge converter (bookworm on), mmdebstrap's own hook does the
      // same: left alone, apt satisfies init-system-helpers' "usrmerge | usr-is-merged" with usrmerge, and perl with it.
      ...(mergesUsr(suite) ? ['--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr'] : []),
      // dpkg's own "Unpacking"/"Setting up" lines: the step's package count (shared/builds/package-progress.ts).
      '--verbose',
      // A fixed script: mmdebstrap passes the chroot as $1. The apt cache is not there yet at setup time.
      '--setup-hook=mkdir -p "$1/var/cache/apt/archives"',
      `--setup-hook=sync-in ${stage} /var/cache/apt/archives/`,
      '--',
      suite,
      root,
      mirror,
    ];
    const result = await ctx.run('mmdebstrap', args, input.epoch === undefined ? {} : { env: { SOURCE_DATE_EPOCH: String(input.epoch) } });
    if (result.exitCode !== 0) throw commandError('mmdebstrap', result);
  } finally {
    rmSync(stage, { recursive: true, force: true });
    journal.release({ kind: 'dir', path: stage });
  }
  const optFile = join(root, dpkgOptFile);
  // A regular file of a few bytes, or it is not the one --dpkgopt wrote.
  const stat = lstatSync(optFile, { throwIfNoEntry: false });
  if (stat?.isFile() && stat.size < 256 && readFileSync(optFile, 'utf8').trim() === dpkgOpt) rmSync(optFile);
  else ctx.log(`left in place: ${dpkgOptFile} holds more than this build's ${dpkgOpt}`);
}
