import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeTimeEnv, populateArgs, seededUuid, timesScript } from './reproducible-fs.js';

const epoch = 1_700_000_000;
const fs = { name: 'root', size: 32 * 2 ** 20, fsType: 'ext4' as const, mountPoint: '/', label: 'root', options: [] as string[] };
const seeds = { uuid: seededUuid('u'), hashSeed: seededUuid('h') };

describe('seededUuid', () => {
  it('is a version-4-shaped UUID, the same for the same seed', () => {
    expect(seededUuid('spec-a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(seededUuid('spec-a')).toBe(seededUuid('spec-a'));
    expect(seededUuid('spec-b')).not.toBe(seededUuid('spec-a'));
  });
});

describe('populateArgs', () => {
  it('merges the hash seed into the one -E mke2fs reads, adds the UUID and the tree', () => {
    const args = populateArgs({ ...fs, options: ['-E', 'stride=4', '-i', '8192'] }, '/b/root.img.repacked', '/b/repack-root', seeds);
    expect(args.filter((a) => a === '-E')).toHaveLength(1);
    expect(args[args.indexOf('-E') + 1]).toBe(`nodiscard,stride=4,hash_seed=${seeds.hashSeed}`);
    expect(args[args.indexOf('-U') + 1]).toBe(seeds.uuid);
    expect(args.slice(-3)).toEqual(['-d', '/b/repack-root', '/b/root.img.repacked']);
    expect(args).toContain('^has_journal');
  });

  it('keeps a UUID or hash seed the spec sets itself', () => {
    const args = populateArgs({ ...fs, options: ['-U', 'clear', '-E', 'hash_seed=00000000-0000-4000-8000-000000000000'] }, '/f', '/t', seeds);
    expect(args.filter((a) => a === '-U')).toHaveLength(1);
    expect(args[args.indexOf('-U') + 1]).toBe('clear');
    expect(args[args.indexOf('-E') + 1]).toBe('nodiscard,hash_seed=00000000-0000-4000-8000-000000000000');
  });
});

describe('mke2fs -d and the times script, with e2fsprogs', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-repro-'));
  const tree = join(base, 'tree');
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  // Names a package may ship: quotes, spaces, tabs, a newline, bytes that are not UTF-8.
  mkdirSync(join(tree, 'etc/sub dir'), { recursive: true });
  writeFileSync(join(tree, 'etc/a "quoted" name'), 'q\n');
  writeFileSync(join(tree, 'etc/sub dir/tab\there'), 't\n');
  writeFileSync(join(tree, 'new\nline'), 'n\n');
  writeFileSync(Buffer.from(join(tree, 'latin-\xe9')), 'l\n');
  writeFileSync(Buffer.concat([Buffer.from(`${tree}/raw-`), Buffer.from([0xff, 0xfe])]), 'r\n');
  writeFileSync(join(tree, 'from-a-package'), 'p\n');
  utimesSync(join(tree, 'from-a-package'), 1_600_000_000, 1_600_000_000);
  symlinkSync('etc/a "quoted" name', join(tree, 'link'));

  function image(name: string): { file: string; inodes: number; unnamed: number } {
    const file = join(base, name);
    writeFileSync(file, '');
    execFileSync('truncate', ['-s', String(fs.size), file]);
    execFileSync('mke2fs', populateArgs(fs, file, tree, seeds), { env: { ...process.env, ...fakeTimeEnv(epoch) }, stdio: 'pipe' });
    const { script, inodes, unnamed } = timesScript(tree, epoch);
    writeFileSync(join(base, 'cmds'), script);
    const result = execFileSync('debugfs', ['-w', '-f', join(base, 'cmds'), '--', file], { env: { ...process.env, ...fakeTimeEnv(epoch) }, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(result).toBeDefined();
    return { file, inodes, unnamed };
  }

  /** debugfs's stat of a path given as bytes (a latin1 string): through a command file, as argv would be re-encoded as UTF-8. */
  function stat(file: string, path: string): string {
    writeFileSync(join(base, 'stat'), Buffer.from(`stat "${path.replaceAll('"', '""')}"\n`, 'latin1'));
    return execFileSync('debugfs', ['-f', join(base, 'stat'), '--', file], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] });
  }
  const field = (text: string, name: string) => new RegExp(`^ *${name}: (0x[0-9a-f]+)`, 'm').exec(text)?.[1];

  it('sets every ctime and atime to the epoch, clamps later mtimes, keeps a package\'s older mtime', () => {
    const { file, unnamed } = image('a.img');
    expect(unnamed).toBe(1);
    const hex = `0x${epoch.toString(16)}`;
    const utf8 = Buffer.from('/latin-\xe9').toString('latin1');
    for (const path of ['/', '/etc/a "quoted" name', '/etc/sub dir/tab\there', utf8, '/raw-\xff\xfe', '/link']) {
      const text = stat(file, path);
      expect(field(text, 'ctime'), path).toBe(hex);
      expect(field(text, 'atime'), path).toBe(hex);
      expect(field(text, 'mtime'), path).toBe(hex);
    }
    expect(field(stat(file, '/from-a-package'), 'mtime')).toBe(`0x${(1_600_000_000).toString(16)}`);
    expect(execFileSync('e2fsck', ['-fn', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toContain('root: ');
  });

  it('makes the same bytes from the same tree after its ctimes and atimes changed', () => {
    const first = image('first.img');
    // chmod moves ctime to now, a read moves atime: what a second build's tree has.
    chmodSync(join(tree, 'etc/a "quoted" name'), 0o640);
    chmodSync(join(tree, 'etc/a "quoted" name'), 0o644);
    readFileSync(join(tree, 'from-a-package'));
    const second = image('second.img');
    expect(readFileSync(second.file).equals(readFileSync(first.file))).toBe(true);
  });
});
