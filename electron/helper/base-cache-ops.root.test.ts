import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';
import { startHelper, type HelperClient } from './helper-client.js';

const script = join(packageRoot(), 'out', 'main', 'build-helper.js');
const owner = { pid: process.pid, startTime: '0' };

/** base.restore through the real helper: what a base in the workspace cache gives a build, and what it never gives. */
describe.runIf(process.getuid?.() === 0 && existsSync(script))('the base image cache (root helper)', () => {
  let base: string;
  let helper: HelperClient;
  let serial = 0;
  const bases = () => join(base, 'ws', 'cache', 'bases');

  /** A base of one image: 8 MiB with 4 KiB of data at 1 MiB, the rest holes. */
  function plantBase(key: string, madeAt: Date): Buffer {
    const dir = join(bases(), key);
    mkdirSync(dir, { recursive: true });
    const data = Buffer.alloc(4096, 7);
    execFileSync('truncate', ['-s', '8M', join(dir, 'root.img')]);
    const fd = openSync(join(dir, 'root.img'), 'r+');
    writeSync(fd, data, 0, data.length, 1 << 20);
    closeSync(fd);
    writeFileSync(join(dir, 'complete'), '{}\n');
    utimesSync(join(dir, 'complete'), madeAt, madeAt);
    return data;
  }

  async function open(): Promise<{ id: string; dir: string }> {
    const id = `base-${String((serial += 1)).padStart(6, '0')}`;
    const opened = await helper.call('build.open', { buildId: id, outputDir: join(base, 'out'), owner }).result;
    return { id, dir: opened.dir };
  }

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'slipway-bases-'));
    helper = await startHelper({ script, workspace: join(base, 'ws'), outputRoots: [base], elevation: 'root' });
  });
  afterAll(async () => {
    await helper.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('copies a fresh base into the build, holes kept, and the copy is released with the build', async () => {
    const key = 'a'.repeat(32);
    const data = plantBase(key, new Date(Date.now() - 3_600_000));
    const { id, dir } = await open();
    const file = join(dir, 'root.img');
    const restored = await helper.call('base.restore', { buildId: id, key, images: [{ name: 'root', file }] }).result;
    expect(restored.restored).toBe(true);
    expect(restored.ageSeconds).toBeGreaterThanOrEqual(3_599);
    expect(statSync(file).size).toBe(8 << 20);
    expect(statSync(file).blocks * 512).toBeLessThan(1 << 20);
    expect(readFileSync(file).subarray(1 << 20, (1 << 20) + 4096).equals(data)).toBe(true);
    await helper.call('build.close', { buildId: id }).result;
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(bases(), key, 'root.img'))).toBe(true);
  });

  it('makes a base older than a day again: removed, nothing copied', async () => {
    const key = 'b'.repeat(32);
    plantBase(key, new Date(Date.now() - 25 * 3_600_000));
    const { id, dir } = await open();
    const restored = await helper.call('base.restore', { buildId: id, key, images: [{ name: 'root', file: join(dir, 'root.img') }] }).result;
    expect(restored).toEqual({ restored: false, ageSeconds: null });
    expect(existsSync(join(bases(), key))).toBe(false);
    expect(existsSync(join(dir, 'root.img'))).toBe(false);
    await helper.call('build.close', { buildId: id }).result;
  });

  it('refuses a base without all the images the build names, and a key or a destination that is not its own', async () => {
    const key = 'c'.repeat(32);
    plantBase(key, new Date());
    const { id, dir } = await open();
    expect((await helper.call('base.restore', { buildId: id, key, images: [{ name: 'root', file: join(dir, 'root.img') }, { name: 'var', file: join(dir, 'var.img') }] }).result).restored).toBe(false);
    expect(existsSync(join(bases(), key))).toBe(false);
    await expect(helper.call('base.restore', { buildId: id, key: '../../etc', images: [{ name: 'root', file: join(dir, 'root.img') }] }).result).rejects.toThrow(/not a base key/);
    plantBase(key, new Date());
    await expect(helper.call('base.restore', { buildId: id, key, images: [{ name: 'root', file: join(base, 'elsewhere.img') }] }).result).rejects.toThrow();
    expect(existsSync(join(base, 'elsewhere.img'))).toBe(false);
    await helper.call('build.close', { buildId: id }).result;
  });
});
