import { closeSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandError } from './system/command-error.js';
import { fakeTimeEnv, populateArgs, timesScript } from './system/reproducible-fs.js';
import { build, exclusiveTemp, inBuild, type Op } from './op-context.js';

/** The helper's operations for reproducible builds (see system/reproducible-fs.ts for what varies and why). */
export const reproducibleOps: { 'fs.populate': Op<'fs.populate'> } = {
  async 'fs.populate'({ buildId, source, file, fs, epoch, uuid, hashSeed }, ctx) {
    const open = build(ctx, buildId);
    const tree = inBuild(ctx, buildId, source);
    // Only a file system this build mounted: mke2fs -d copies whatever is mounted there.
    if (!open.journal.outstanding().some((r) => r.kind === 'mount' && r.target === tree)) throw new Error(`refused: ${tree} is not mounted by this build`);
    const image = inBuild(ctx, buildId, file);
    open.journal.acquire({ kind: 'file', path: image });
    // Created exclusively: mke2fs would write through a planted link.
    closeSync(openSync(image, 'wx', 0o644));
    truncateSync(image, fs.size);
    const env = fakeTimeEnv(epoch);
    const made = await ctx.run('mke2fs', populateArgs(fs, image, tree, { uuid, hashSeed }), { env });
    if (made.exitCode !== 0) throw commandError('mke2fs -d', made);

    const { script, inodes, unnamed } = timesScript(tree, epoch);
    const commands = exclusiveTemp(join(open.dir, 'debugfs-times'));
    open.journal.acquire({ kind: 'file', path: commands });
    writeFileSync(commands, script, { flag: 'wx', mode: 0o600 });
    const fixed = await ctx.run('debugfs', ['-w', '-f', commands, '--', image], { env, quiet: true });
    // debugfs exits 0 even when a command failed: each failure is a line on stderr, after the version banner.
    const failures = fixed.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('debugfs '));
    if (fixed.exitCode !== 0 || failures.length > 0) throw commandError(`debugfs (times of ${failures.length} inode(s))`, { ...fixed, stderr: failures.slice(0, 5).join('\n') || fixed.stderr });
    ctx.log(`${fs.name}: ${inodes} inodes copied by mke2fs -d, times at ${new Date(epoch * 1000).toISOString()}${unnamed > 0 ? `; ${unnamed} name(s) with a newline keep their copied times` : ''}`);
    return { inodes, unnamed };
  },
};
