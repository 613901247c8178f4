import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execaRunner, type Runner } from '../process/runner.js';
import { installHint, probeTool } from './probe-tool.js';
import type { ToolSpec } from './tool-catalog.js';

const spec = (name: string, extra: Partial<ToolSpec> = {}): ToolSpec => ({
  name,
  debianPackage: `${name}-pkg`,
  required: true,
  neededBy: ['builds'],
  purpose: 'test',
  versionArgs: ['--version'],
  ...extra,
});

describe('probeTool on real executables', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-probe-'));
    const tool = join(dir, 'fake-mkfs');
    // Prints its version on stderr and exits 1, as resize2fs does.
    await writeFile(tool, '#!/bin/sh\necho "fake-mkfs 1.47.0 (5-Feb-2023)" >&2\nexit 1\n');
    await chmod(tool, 0o755);
    await writeFile(join(dir, 'not-executable'), 'x');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds a tool on PATH and reads its version from stderr', async () => {
    const check = await probeTool(spec('fake-mkfs'), { runner: execaRunner, pathEnv: dir, extraDirs: [] });
    expect(check).toMatchObject({ found: true, path: join(dir, 'fake-mkfs'), version: '1.47.0' });
  });

  it('finds a tool in the extra (sbin) directories when PATH lacks them', async () => {
    const check = await probeTool(spec('fake-mkfs'), { runner: execaRunner, pathEnv: '/nonexistent', extraDirs: [dir] });
    expect(check.found).toBe(true);
  });

  it('reports a missing tool with its package, and a non-executable file as missing', async () => {
    const missing = await probeTool(spec('no-such-tool'), { runner: execaRunner, pathEnv: dir, extraDirs: [] });
    expect(missing).toMatchObject({ found: false, path: null, version: null, debianPackage: 'no-such-tool-pkg' });
    const plain = await probeTool(spec('not-executable'), { runner: execaRunner, pathEnv: dir, extraDirs: [] });
    expect(plain.found).toBe(false);
  });

  it('falls back to the package version when the tool has no version flag', async () => {
    const calls: string[][] = [];
    const runner: Runner = async (file, args) => {
      calls.push([file, ...args]);
      return { exitCode: 0, stdout: '2.11.3.2-1', stderr: '' };
    };
    const check = await probeTool(spec('fake-mkfs', { versionArgs: null, debianPackage: 's6' }), { runner, pathEnv: dir, extraDirs: [] });
    expect(check.version).toBe('2.11.3.2-1');
    expect(calls).toEqual([['dpkg-query', '-W', '-f=${Version}', 's6']]);
  });
});

describe('installHint', () => {
  it('lists each missing package once, or null', () => {
    const base = { path: null, version: null, required: true, neededBy: [], purpose: '' };
    const tools = [
      { ...base, name: 'mkfs.ext4', found: false, debianPackage: 'e2fsprogs' },
      { ...base, name: 'resize2fs', found: false, debianPackage: 'e2fsprogs' },
      { ...base, name: 'gzip', found: true, debianPackage: 'gzip' },
      { ...base, name: 's6-svscan', found: false, debianPackage: 's6' },
    ];
    expect(installHint(tools)).toBe('apt-get install e2fsprogs s6');
    expect(installHint(tools.map((t) => ({ ...t, found: true })))).toBeNull();
  });
});
