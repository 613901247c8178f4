import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';
import { startHelper, type HelperClient } from './helper-client.js';

const script = join(packageRoot(), 'out', 'main', 'build-helper.js');
const owner = { pid: process.pid, startTime: '0' };

describe.runIf(process.getuid?.() === 0)('build helper (root, real namespaces)', () => {
  let base: string;
  let helper: HelperClient;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'slipway-helper-'));
    helper = await startHelper({ script, workspace: join(base, 'ws'), outputRoots: [base], elevation: 'root' });
  });
  afterAll(async () => {
    await helper.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('runs in private namespaces and journals what it creates', async () => {
    expect(helper.namespaced).toBe(true);
    const opened = await helper.call('build.open', { buildId: 'test-000001', outputDir: join(base, 'out'), owner }).result;
    await helper.call('file.sparse', { buildId: 'test-000001', path: join(opened.dir, 'root.img'), bytes: 32 << 20 }).result;
    const journal = readFileSync(join(opened.dir, 'journal.jsonl'), 'utf8');
    expect(journal).toContain('"kind":"file"');
    const closed = await helper.call('build.close', { buildId: 'test-000001' }).result;
    expect(closed.released).toHaveLength(2);
    expect(existsSync(opened.dir)).toBe(false);
  });

  it('publishes only under an allowed output root', async () => {
    await expect(helper.call('build.open', { buildId: 'test-000003', outputDir: '/etc/netplan', owner }).result).rejects.toThrow(/not under an allowed output root/);
  });

  it('never writes through a link planted in the image', async () => {
    const opened = await helper.call('build.open', { buildId: 'test-000004', outputDir: join(base, 'out'), owner }).result;
    const victim = join(base, 'victim');
    writeFileSync(victim, 'untouched');
    mkdirSync(join(opened.dir, 'root', 'etc'), { recursive: true });
    symlinkSync(victim, join(opened.dir, 'root', 'etc', 'hostname'));
    await helper.call('file.write', { buildId: 'test-000004', path: join(opened.dir, 'root', 'etc', 'hostname'), content: 'node\n', mode: 0o644 }).result;
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(readFileSync(join(opened.dir, 'root', 'etc', 'hostname'), 'utf8')).toBe('node\n');
    await helper.call('build.close', { buildId: 'test-000004' }).result;
  });

  it('refuses paths outside the workspace and operations not on its list', async () => {
    await helper.call('build.open', { buildId: 'test-000002', outputDir: join(base, 'out'), owner }).result;
    await expect(helper.call('file.sparse', { buildId: 'test-000002', path: '/etc/evil.img', bytes: 1 << 20 }).result).rejects.toThrow(/outside the build workspace/);
    await expect(helper.call('file.write', { buildId: 'test-000002', path: join(base, 'ws', 'builds', 'test-000002', '..', '..', 'x'), content: '', mode: 0o644 }).result).rejects.toThrow(/outside/);
    await expect(helper.call('chroot.exec', { buildId: 'test-000002', root: join(base, 'ws', 'builds', 'test-000002'), argv: ['sh', '-c', 'id'] }).result).rejects.toThrow(/not a command builds may run/);
    await expect(helper.call('shell' as never, {} as never).result).rejects.toThrow(/not a helper operation/);
    await expect(
      helper.call('chroot.exec', { buildId: 'test-000002', root: join(base, 'ws', 'builds', 'test-000002'), argv: ['apt-get', '-o', 'APT::Update::Pre-Invoke::=id', 'update'] }).result,
    ).rejects.toThrow(/configuration options/);
    await helper.call('build.close', { buildId: 'test-000002' }).result;
  });

  it('checks every result against the protocol: a helper answering out of contract is an error, not a value', async () => {
    const liar = await startHelper({ script: join(packageRoot(), 'electron', 'helper', 'test-support', 'lying-helper.mjs'), workspace: join(base, 'ws-liar'), outputRoots: [base], elevation: 'root' });
    try {
      await expect(liar.call('build.open', { buildId: 'test-000005', outputDir: join(base, 'out'), owner }).result).rejects.toThrow(/answered build\.open with an unexpected result: dir .*cacheDir/);
      await expect(liar.call('loop.attach', { buildId: 'test-000005', file: join(base, 'x') }).result).rejects.toThrow(/answered loop\.attach with an unexpected result: device/);
    } finally {
      await liar.close();
    }
  });
});
