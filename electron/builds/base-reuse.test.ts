import { describe, expect, it } from 'vitest';
import type { HelperOp } from '../helper/helper-protocol.js';
import { dir, harness, root, spec } from './test-support/fake-helper.js';

describe('the base image cache in the pipeline', () => {
  it('on a miss, makes the file systems, runs debootstrap and saves each mounted image as the base', async () => {
    const { helper, run } = harness();
    await run.run();
    const args = (op: HelperOp) => helper.calls.filter((c) => c.op === op).map((c) => c.args);
    const [restore] = args('base.restore');
    expect(restore!.images).toEqual(spec.images.map((fs) => ({ name: fs.name, file: `${dir}/${fs.name}.img` })));
    expect(args('file.sparse')).toHaveLength(spec.images.length);
    expect(args('mkfs')).toHaveLength(spec.images.length);
    const [save] = args('base.save');
    expect(save!.key).toBe(restore!.key);
    expect(save!.images).toEqual([
      { name: 'mysql', file: `${dir}/mysql.img`, target: `${root}/var/lib/mysql` },
      { name: 'root', file: `${dir}/root.img`, target: root },
      { name: 'var', file: `${dir}/var.img`, target: `${root}/var` },
    ]);
    // Saved right after the bootstrap, before apt is configured or any package added.
    const ops = helper.ops();
    expect(ops.indexOf('base.save')).toBeGreaterThan(ops.indexOf('debootstrap'));
    expect(ops.indexOf('base.save')).toBeLessThan(ops.indexOf('chroot.exec'));
    expect(args('fs.shrink').every((a) => a.newUuid === false)).toBe(true);
  });

  it('on a hit, copies the base instead: no sparse files, no mkfs, no debootstrap, and the packages still installed', async () => {
    const { helper, run } = harness();
    helper.respond['base.restore'] = () => ({ restored: true, ageSeconds: 600 });
    const outcome = await run.run();
    expect(outcome.status).toBe('succeeded');
    const ops = helper.ops();
    for (const skipped of ['file.sparse', 'mkfs', 'debootstrap', 'base.save'] as const) expect(ops).not.toContain(skipped);
    expect(ops.filter((op) => op === 'loop.attach')).toHaveLength(spec.images.length);
    expect(helper.calls.filter((c) => c.op === 'chroot.exec').map((c) => (c.args.argv as string[]).join(' '))).toContain('apt-get install -y curl less');
    expect(run.steps.find((s) => s.id === 'debootstrap')!.message).toMatch(/^base image reused/);
    // Two builds from one base never share a file system UUID.
    expect(helper.calls.filter((c) => c.op === 'fs.shrink').every((c) => c.args.newUuid === true)).toBe(true);
    expect(run.steps.find((s) => s.id === 'sparse-files')!.message).toBe('base image reused (made 10 min ago): 3 file(s) copied from the cache');
  });

  it('a base that cannot be saved is logged and the build goes on', async () => {
    const { helper, run, logs } = harness();
    helper.respond['base.save'] = () => Promise.reject(new Error('cp --sparse=always failed (exit code 1): No space left on device'));
    const outcome = await run.run();
    expect(outcome.status).toBe('succeeded');
    expect(logs.some((l) => l.step === 'debootstrap' && l.text === 'base image not saved: cp --sparse=always failed (exit code 1): No space left on device')).toBe(true);
  });

  it('keys the base by what debootstrap makes: packages do not change it, the file system layout does', async () => {
    const key = async (patch: Partial<typeof spec>) => {
      const { helper, run } = harness({ spec: { ...spec, ...patch } });
      await run.run();
      return helper.calls.find((c) => c.op === 'base.restore')!.args.key;
    };
    const same = await key({});
    expect(await key({ packages: ['figlet'] })).toBe(same);
    expect(await key({ postInstall: { ...spec.postInstall, hostname: 'other' } })).toBe(same);
    expect(await key({ variant: 'buildd' })).not.toBe(same);
    expect(await key({ bootstrap: 'debootstrap' })).not.toBe(same);
    expect(await key({ images: spec.images.map((fs) => ({ ...fs, size: fs.size * 2 })) })).not.toBe(same);
  });
});
