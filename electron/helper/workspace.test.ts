import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from './workspace.js';

describe('Workspace', () => {
  let base: string;
  let ws: Workspace;
  let build: string;
  let outside: string;

  beforeAll(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-ws-')));
    ws = new Workspace(join(base, 'ws'));
    build = ws.buildDir('20250101-aaaa');
    outside = join(base, 'outside');
    mkdirSync(join(build, 'root', 'etc'), { recursive: true });
    mkdirSync(join(outside, 'etc'), { recursive: true });
    writeFileSync(join(build, 'root', 'etc', 'hostname'), 'lab\n');
    writeFileSync(join(outside, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    // Links inside the build: one out of the workspace (absolute, as a chroot's links are), one that stays in.
    symlinkSync(outside, join(build, 'root', 'escape'));
    symlinkSync(join(outside, 'etc', 'passwd'), join(build, 'root', 'etc', 'passwd'));
    symlinkSync('etc', join(build, 'root', 'etc-link'));
    mkdirSync(join(base, 'out'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('lays out builds and cache under its root', () => {
    expect(ws.root).toBe(join(base, 'ws'));
    expect(ws.buildsDir).toBe(join(base, 'ws', 'builds'));
    expect(ws.buildDir('b1')).toBe(join(base, 'ws', 'builds', 'b1'));
    expect(ws.cacheDir).toBe(join(base, 'ws', 'cache'));
    expect(new Workspace(`${join(base, 'ws')}/`).root).toBe(join(base, 'ws'));
  });

  describe('confine', () => {
    it.each([
      ['the build dir itself', ''],
      ['an existing file', 'root/etc/hostname'],
      ['a file not yet there', 'root.img'],
      ['a deep path not yet there', 'root/var/lib/mysql/new/file'],
      ['a link that stays inside', 'root/etc-link/hostname'],
      ['a path with . and .. that stays inside', 'root/./etc/../etc/hostname'],
    ])('accepts %s', (_what, path) => {
      const full = path ? `${build}/${path}` : build;
      expect(ws.confine(full, [build])).toBe(join(build, path));
    });

    it('returns the normalised absolute path', () => {
      expect(ws.confine(`${build}/root/./etc/../etc/hostname`, [build])).toBe(join(build, 'root', 'etc', 'hostname'));
    });

    it('resolves a relative path against the working directory', () => {
      const rel = relative(process.cwd(), join(build, 'root.img'));
      expect(ws.confine(rel, [build])).toBe(join(build, 'root.img'));
    });

    it.each([
      ['/etc/passwd'],
      ['/'],
      ['..'],
    ])('refuses %s outright', (path) => {
      expect(() => ws.confine(path, [build])).toThrow(/refused: .* is outside the build workspace/);
    });

    it.each([
      ['up and out', '../../../outside/etc/passwd'],
      ['into a sibling build', '../20250101-bbbb/root.img'],
      ['into a sibling whose name starts the same', '../20250101-aaaa-evil/x'],
    ])('refuses a .. escape: %s', (_what, path) => {
      expect(() => ws.confine(`${build}/${path}`, [build])).toThrow(/is outside the build workspace/);
    });

    it('refuses a link inside the workspace that points outside, for the link and below it', () => {
      expect(() => ws.confine(join(build, 'root', 'escape'), [build])).toThrow(/leads outside the build workspace/);
      expect(() => ws.confine(join(build, 'root', 'escape', 'etc', 'passwd'), [build])).toThrow(/leads outside/);
      expect(() => ws.confine(join(build, 'root', 'escape', 'etc', 'not-yet'), [build])).toThrow(/leads outside/);
      expect(() => ws.confine(join(build, 'root', 'escape', 'new', 'deep', 'file'), [build])).toThrow(/leads outside/);
      expect(() => ws.confine(join(build, 'root', 'etc', 'passwd'), [build])).toThrow(/leads outside/);
    });

    it('accepts a path under any of the roots, and refuses one under none', () => {
      const out = join(base, 'out');
      expect(ws.confine(join(out, 'lab.yaml'), [build, out])).toBe(join(out, 'lab.yaml'));
      expect(ws.confine(join(build, 'root.img'), [build, out])).toBe(join(build, 'root.img'));
      expect(() => ws.confine(join(base, 'elsewhere', 'lab.yaml'), [build, out])).toThrow(/outside/);
      expect(() => ws.confine(join(build, 'root.img'), [])).toThrow(/outside/);
    });

    it('compares real paths when the root itself is reached through a link', () => {
      const alias = join(base, 'ws-alias');
      symlinkSync(join(base, 'ws'), alias);
      const aliased = join(alias, 'builds', '20250101-aaaa');
      expect(ws.confine(join(aliased, 'root', 'etc', 'hostname'), [aliased])).toBe(join(aliased, 'root', 'etc', 'hostname'));
      expect(() => ws.confine(join(aliased, 'root', 'escape', 'x'), [aliased])).toThrow(/leads outside/);
    });

    it('refuses a dangling link inside the workspace (it could be written through to wherever it points)', () => {
      const link = join(build, 'root', 'dangling');
      symlinkSync(join(outside, 'not-there-yet'), link);
      expect(() => ws.confine(link, [build])).toThrow(/refused/);
      expect(() => ws.confine(join(link, 'below'), [build])).toThrow(/refused/);
    });

    it('still refuses a link out of the workspace when another root does not exist yet', () => {
      const missing = join(base, 'no-such-output-dir');
      expect(() => ws.confine(join(build, 'root', 'escape', 'etc', 'passwd'), [missing, build])).toThrow(/leads outside/);
      expect(() => ws.confine(join(build, 'root', 'escape', 'etc', 'passwd'), [build, missing])).toThrow(/leads outside/);
    });

    // Regression (a bug once): with the working tree's confine, a root that does not exist yet refuses every path
    // under it (the nearest existing ancestor lies above the root), e.g. the cache dir of a fresh workspace.
    it('accepts paths under a root that does not exist yet', () => {
      const tarball = join(ws.cacheDir, 'debootstrap', 'bookworm-amd64-minbase-0123456789ab.tgz');
      expect(ws.confine(tarball, [ws.cacheDir])).toBe(tarball);
    });
  });
});
