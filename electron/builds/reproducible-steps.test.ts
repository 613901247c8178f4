import { describe, expect, it } from 'vitest';
import type { HelperOp } from '../helper/helper-protocol.js';
import { dir, harness, root, spec } from './test-support/fake-helper.js';
import { fsSeeds } from './reproducible-steps.js';

const epoch = 1_700_000_000;

async function reproducibleRun(outputDir = spec.output.dir) {
  const h = harness({ spec: { ...spec, sourceDateEpoch: epoch, output: { ...spec.output, dir: outputDir } } });
  const outcome = await h.run.run();
  expect(outcome.status).toBe('succeeded');
  const args = (op: HelperOp) => h.helper.calls.filter((c) => c.op === op).map((c) => c.args);
  return { ...h, args };
}

describe('a reproducible build (spec.sourceDateEpoch)', () => {
  it('gives SOURCE_DATE_EPOCH to debootstrap and to every apt-get in the chroot', async () => {
    const { args } = await reproducibleRun();
    expect(args('debootstrap')[0]).toMatchObject({ epoch });
    expect(args('chroot.exec').length).toBeGreaterThan(0);
    expect(args('chroot.exec').every((a) => a.epoch === epoch)).toBe(true);
  });

  it('removes the logs of the build and ldconfig\'s inode cache, and empties an existing machine-id', async () => {
    const { args } = await reproducibleRun();
    const removed = args('file.remove').map((a) => a.path);
    expect(removed).toEqual(expect.arrayContaining([`${root}/var/log/dpkg.log`, `${root}/var/log/bootstrap.log`, `${root}/var/cache/ldconfig/aux-cache`]));
    // The fake helper answers every read: machine-id is there, so it is written empty and read-only.
    expect(args('file.write').find((a) => a.path === `${root}/etc/machine-id`)).toMatchObject({ content: '', mode: 0o444 });
  });

  it('repacks each image from a read-only mount of it alone, then shrinks and packs the copy with the fixed clock', async () => {
    const { args, helper } = await reproducibleRun();
    const shrinkStart = helper.calls.findIndex((c) => c.op === 'dir.make' && String(c.args.path).startsWith(`${dir}/repack-`));
    const ops = helper.calls.slice(shrinkStart, shrinkStart + 8).map((c) => c.op);
    expect(ops).toEqual(['dir.make', 'loop.attach', 'mount', 'loop.autoclear', 'fs.populate', 'umount', 'file.remove', 'fs.shrink']);
    expect(args('loop.attach').filter((a) => a.readOnly === true)).toHaveLength(spec.images.length);
    expect(args('mount').filter((a) => a.readOnly === true).map((a) => a.target)).toEqual(spec.images.map((fs) => `${dir}/repack-${fs.name}`));
    const populated = args('fs.populate');
    expect(populated.map((a) => a.file)).toEqual(spec.images.map((fs) => `${dir}/${fs.name}.img.repacked`));
    expect(populated.every((a) => a.epoch === epoch)).toBe(true);
    expect(args('fs.shrink').map((a) => [a.file, a.epoch])).toEqual(spec.images.map((fs) => [`${dir}/${fs.name}.img.repacked`, epoch]));
    expect(args('artifact.pack').map((a) => a.source)).toEqual(spec.images.map((fs) => `${dir}/${fs.name}.img.repacked`));
  });

  it('derives each file system\'s UUID and hash seed from the spec, not from where the output goes', async () => {
    const first = (await reproducibleRun('/srv/images')).args('fs.populate');
    const second = (await reproducibleRun('/srv/elsewhere')).args('fs.populate');
    expect(second.map((a) => [a.uuid, a.hashSeed])).toEqual(first.map((a) => [a.uuid, a.hashSeed]));
    const uuids = first.map((a) => a.uuid);
    expect(new Set(uuids).size).toBe(spec.images.length);
    expect(fsSeeds({ ...spec, packages: ['curl'] }, 'root').uuid).not.toBe(fsSeeds(spec, 'root').uuid);
  });

  it('changes nothing when the spec has no epoch', async () => {
    const h = harness();
    await h.run.run();
    expect(h.helper.calls.some((c) => c.op === 'fs.populate')).toBe(false);
    expect(h.helper.calls.filter((c) => c.op === 'chroot.exec' || c.op === 'debootstrap' || c.op === 'fs.shrink').every((c) => !('epoch' in c.args))).toBe(true);
  });
});
