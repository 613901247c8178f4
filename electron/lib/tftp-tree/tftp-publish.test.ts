import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootEntryPath, currentVersion, publishNetboot, rollbackNetboot } from './tftp-publish.js';
import { listTftpTree } from './tftp-tree.js';

/** Every entry under root: path, kind, content hash or link target, and mtime. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const what = stat.isSymbolicLink() ? `-> ${readlinkSync(path)}` : stat.isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(path)).digest('hex');
      out.push(`${relative(root, path)} ${what} ${stat.mtimeMs}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

describe('netboot publish', () => {
  let dir: string;
  let root: string;
  const target = () => ({ root, arch: 'amd64', release: 'bookworm', purpose: 'install' });
  const files = (tag: string) => {
    writeFileSync(join(dir, `k-${tag}`), `kernel ${tag}`);
    writeFileSync(join(dir, `i-${tag}`), `initrd ${tag}`);
    return [join(dir, `k-${tag}`), join(dir, `i-${tag}`)] as const;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-tftp-'));
    root = join(dir, 'tftp');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes a versioned pair behind the purpose link, with a boot entry naming that version', () => {
    const result = publishNetboot(target(), ...files('a'));
    expect(result.status).toBe('published');
    expect(readlinkSync(join(root, 'amd64/generic/bookworm/install'))).toBe(`.versions/${result.version}`);
    expect(readFileSync(join(root, 'amd64/generic/bookworm/install/kernel'), 'utf8')).toBe('kernel a');
    const entry = readFileSync(bootEntryPath(target(), 'generic'), 'utf8');
    expect(entry).toContain(`KERNEL amd64/generic/bookworm/.versions/${result.version}/kernel`);
    expect(entry).toContain(`INITRD amd64/generic/bookworm/.versions/${result.version}/initrd`);
    expect(currentVersion(target())).toEqual({ version: result.version, bytes: 16 });
  });

  it('leaves the tree byte for byte and mtime for mtime alone when the content is identical', () => {
    publishNetboot(target(), ...files('a'));
    const before = snapshot(root);
    const again = publishNetboot(target(), ...files('a'));
    expect(again.status).toBe('unchanged');
    expect(snapshot(root)).toEqual(before);
  });

  it('switches to new content and removes the old version only after its grace period', () => {
    let now = 1_000_000;
    const first = publishNetboot(target(), ...files('a'), { now: () => now, graceMs: 60_000 });
    now += 1_000;
    const second = publishNetboot(target(), ...files('b'), { now: () => now, graceMs: 60_000 });
    expect(second.version).not.toBe(first.version);
    expect(readdirSync(join(root, 'amd64/generic/bookworm/.versions'))).toContain(first.version);
    now += 59_000;
    expect(publishNetboot(target(), ...files('b'), { now: () => now, graceMs: 60_000 }).pruned).toEqual([]);
    now += 1_000;
    expect(publishNetboot(target(), ...files('b'), { now: () => now, graceMs: 60_000 }).pruned).toEqual([first.version]);
  });

  it('cleans what an interrupted publish left, and refuses names that are paths', () => {
    publishNetboot(target(), ...files('a'));
    writeFileSync(join(root, 'amd64/generic/bookworm/install.tmp-1-2'), '');
    publishNetboot(target(), ...files('b'));
    expect(readdirSync(join(root, 'amd64/generic/bookworm')).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(() => publishNetboot({ ...target(), release: '../etc' }, ...files('c'))).toThrow(/release/);
    expect(() => publishNetboot({ ...target(), arch: 'a/b' }, ...files('c'))).toThrow(/arch/);
    expect(() => publishNetboot({ ...target(), purpose: '..' }, ...files('c'))).toThrow(/purpose/);
  });

  it('lists the tree with versions, origin and retained versions', () => {
    let now = Date.parse('2026-11-23T10:00:00Z');
    const first = publishNetboot(target(), ...files('a'), { now: () => now, origin: { source: '20261123-aaaa', kernelName: 'vmlinuz-6.1.0-27-amd64' } });
    now += 1_000;
    const second = publishNetboot(target(), ...files('bb'), { now: () => now, origin: { source: '20261123-bbbb', kernelName: 'vmlinuz-6.1.0-28-amd64' } });
    publishNetboot({ ...target(), purpose: 'rescue' }, ...files('a'), { now: () => now });
    expect(listTftpTree(root)).toEqual([
      {
        arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose: 'install', version: second.version, bytes: 18,
        publishedAt: '2026-11-23T10:00:01.000Z', source: '20261123-bbbb', kernelName: 'vmlinuz-6.1.0-28-amd64', retained: 1,
        rootBytes: null, kept: [first.version], bootEntry: 'pxelinux.cfg/amd64-generic-bookworm-install',
      },
      {
        arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose: 'rescue', version: expect.stringMatching(/^rescue-[0-9a-f]{16}$/), bytes: 16,
        publishedAt: '2026-11-23T10:00:01.000Z', source: null, kernelName: null, retained: 0,
        rootBytes: null, kept: [], bootEntry: 'pxelinux.cfg/amd64-generic-bookworm-rescue',
      },
    ]);
  });

  it('puts the root image in the same version, named by its sum too, and rolls back by one switch', () => {
    const rootImage = join(dir, 'root.squashfs');
    writeFileSync(rootImage, 'hsqs root v1');
    let now = Date.parse('2026-11-23T10:00:00Z');
    const withRoot = publishNetboot(target(), ...files('a'), { now: () => now, root: { path: rootImage, sha256: 'aa11' } });
    const sameRootOtherSum = publishNetboot(target(), ...files('a'), { now: () => (now += 1_000), root: { path: rootImage, sha256: 'bb22' } });
    // The root image's sum is part of the version: same pair, another root image, another version.
    expect(sameRootOtherSum.version).not.toBe(withRoot.version);
    expect(readFileSync(join(root, 'amd64/generic/bookworm/install/root.squashfs'), 'utf8')).toBe('hsqs root v1');
    expect(listTftpTree(root)[0]).toMatchObject({ version: sameRootOtherSum.version, rootBytes: 12, bytes: 12 + 16, kept: [withRoot.version] });

    expect(rollbackNetboot(target(), withRoot.version, (now += 1_000))).toEqual({ version: withRoot.version, previous: sameRootOtherSum.version });
    expect(readlinkSync(join(root, 'amd64/generic/bookworm/install'))).toBe(`.versions/${withRoot.version}`);
    expect(readFileSync(bootEntryPath(target(), 'generic'), 'utf8')).toContain(`.versions/${withRoot.version}/kernel`);
    expect(listTftpTree(root)[0]).toMatchObject({ version: withRoot.version, kept: [sameRootOtherSum.version] });
    expect(() => rollbackNetboot(target(), 'install-0000000000000000')).toThrow(/keeps no version install-0000000000000000/);
    expect(() => rollbackNetboot(target(), `../${withRoot.version}`)).toThrow(/keeps no version/);
  });
});
