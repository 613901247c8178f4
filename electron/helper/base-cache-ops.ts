import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, inBuild, must, type Op, type OpContext } from './op-context.js';

/**
 * The base image cache: each file system of a build as debootstrap left it,
 * kept per base (the pipeline's key: mirror, suite, variant, arch, file system
 * layout, epoch, Slipway's version), so a build
 * that changes only packages copies it (sparse) instead of running mkfs and
 * debootstrap again. mkosi keeps the same ("Incremental=") and DIB caches its
 * base tarball. A base is as old as the mirror it was made from: after a day it
 * is made again, so security updates reach the next build.
 */
export const baseMaxAgeMs = 24 * 3600_000;
/** Bases kept; the oldest go first. Each is the used blocks of one base (a few hundred MiB for minbase). */
export const basesKept = 4;

const basesDir = (ctx: OpContext) => join(ctx.workspace.cacheDir, 'bases');
const complete = 'complete';

/** Copies sparse: the holes of the image stay holes. */
const copySparse = (ctx: OpContext, from: string, to: string) => must(ctx, 'cp --sparse=always', 'cp', ['--sparse=always', '--', from, to]);

function prune(ctx: OpContext): void {
  const dir = basesDir(ctx);
  const bases = readdirSync(dir)
    .filter((name) => /^[0-9a-f]{32}$/.test(name) && existsSync(join(dir, name, complete)))
    .map((name) => ({ name, made: statSync(join(dir, name, complete)).mtimeMs }))
    .sort((a, b) => b.made - a.made);
  for (const old of bases.slice(basesKept)) rmSync(join(dir, old.name), { recursive: true, force: true });
}

export const baseCacheOps: { 'base.restore': Op<'base.restore'>; 'base.save': Op<'base.save'> } = {
  async 'base.restore'({ buildId, key, images }, ctx) {
    const dir = join(basesDir(ctx), key);
    const marker = join(dir, complete);
    if (!existsSync(marker)) return { restored: false, ageSeconds: null };
    const age = Date.now() - statSync(marker).mtimeMs;
    if (age > baseMaxAgeMs || images.some((image) => !existsSync(join(dir, `${image.name}.img`)))) {
      rmSync(dir, { recursive: true, force: true });
      ctx.log(`base image ${key} was made ${Math.round(age / 3600_000)} h ago: made again`);
      return { restored: false, ageSeconds: null };
    }
    const open = build(ctx, buildId);
    // Every destination confined first: a path outside the build is refused, never taken for a missing base.
    const dests = images.map((image) => ({ name: image.name, dest: inBuild(ctx, buildId, image.file) }));
    const copied: string[] = [];
    try {
      for (const { name, dest } of dests) {
        open.journal.acquire({ kind: 'file', path: dest });
        copied.push(dest);
        await copySparse(ctx, join(dir, `${name}.img`), dest);
      }
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      // Replaced by a newer base while being copied, or unreadable: this build makes its own, from empty files.
      for (const dest of copied) {
        rmSync(dest, { force: true });
        open.journal.release({ kind: 'file', path: dest });
      }
      ctx.log(`base image ${key} could not be copied (${(error as Error).message}): made again`);
      return { restored: false, ageSeconds: null };
    }
    return { restored: true, ageSeconds: Math.round(age / 1000) };
  },

  async 'base.save'({ buildId, key, images }, ctx) {
    const open = build(ctx, buildId);
    for (const image of images) {
      const target = inBuild(ctx, buildId, image.target);
      if (!open.journal.outstanding().some((r) => r.kind === 'mount' && r.target === target)) throw new Error(`refused: ${target} is not mounted by this build`);
      // Nothing writes to it now (debootstrap is done, nothing chrooted runs): once synced, the file holds the file system.
      await must(ctx, 'sync -f', 'sync', ['-f', '--', target]);
    }
    mkdirSync(basesDir(ctx), { recursive: true, mode: 0o700 });
    const partial = join(basesDir(ctx), `${key}.partial-${buildId}`);
    open.journal.acquire({ kind: 'dir', path: partial });
    mkdirSync(partial, { mode: 0o700 });
    for (const image of images) await copySparse(ctx, inBuild(ctx, buildId, image.file), join(partial, `${image.name}.img`));
    writeFileSync(join(partial, complete), `${JSON.stringify({ buildId, madeAt: new Date().toISOString() })}\n`, { flag: 'wx' });
    const dir = join(basesDir(ctx), key);
    // Another build of the same base may have saved it meanwhile: the newer one replaces it whole.
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    open.journal.release({ kind: 'dir', path: partial });
    prune(ctx);
    return {};
  },
};
