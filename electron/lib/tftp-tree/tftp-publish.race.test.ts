import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootEntryPath, publishNetboot } from './tftp-publish.js';

const reader = join(import.meta.dirname, 'test-support', 'tftp-reader.mjs');

interface Counts {
  reads: number;
  missing: number;
  mixed: number;
}

/** Starts both readers, runs `publish` while they loop, and returns what each saw. */
async function race(root: string, purposePath: string, entryPath: string, publish: () => void): Promise<{ link: Counts; entry: Counts }> {
  const stop = join(root, '..', 'stop');
  rmSync(stop, { force: true });
  const start = (mode: string) => {
    const child = spawn(process.execPath, [reader, mode, root, purposePath, entryPath, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    // A reader that ends before its first line (a missing script, a crash) fails the test at once, not at its timeout.
    const ready = new Promise<void>((resolve, reject) => {
      lines.once('line', () => resolve());
      child.once('exit', (code) => reject(new Error(`the ${mode} reader ended (${code}) before it was ready`)));
    });
    const result = new Promise<Counts>((resolve) => lines.on('line', (line) => line.startsWith('{') && resolve(JSON.parse(line) as Counts)));
    return { ready, result };
  };
  const link = start('link');
  const entry = start('entry');
  await Promise.all([link.ready, entry.ready]);
  publish();
  writeFileSync(stop, '');
  return { link: await link.result, entry: await entry.result };
}

describe('publish under load: no reader sees a missing file, no boot entry a mixed pair', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-race-'));
    for (const tag of ['A', 'B']) {
      writeFileSync(join(dir, `kernel-${tag}`), `kernel ${tag}`);
      writeFileSync(join(dir, `initrd-${tag}`), `initrd ${tag}`);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pair = (i: number) => {
    const tag = i % 2 === 0 ? 'A' : 'B';
    return [join(dir, `kernel-${tag}`), join(dir, `initrd-${tag}`)] as const;
  };

  it('Slipway: 100 publishes of alternating content, readers see neither', { timeout: 60_000 }, async () => {
    const root = join(dir, 'tftp');
    const target = { root, arch: 'amd64', release: 'bookworm', purpose: 'install' };
    publishNetboot(target, ...pair(1));
    const { link, entry } = await race(root, join(root, 'amd64/generic/bookworm/install'), bootEntryPath(target, 'generic'), () => {
      for (let i = 0; i < 100; i++) publishNetboot(target, ...pair(i), { graceMs: 60_000 });
    });
    expect(link.reads).toBeGreaterThan(1_000);
    expect(entry.reads).toBeGreaterThan(1_000);
    // Through the purpose link a file is never missing; two separate lookups may straddle a switch,
    // which is why the boot entry names one version's paths: read through it, a pair never mixes.
    expect(link.missing).toBe(0);
    expect(entry).toMatchObject({ missing: 0, mixed: 0 });
  });

  it('the anchor, a MAAS-style two-rename swap: the same readers do see missing files (the test can fail)', { timeout: 60_000 }, async () => {
    const root = join(dir, 'maas');
    const purpose = join(root, 'amd64/generic/bookworm/install');
    const entryPath = join(root, 'pxelinux.cfg', 'install');
    mkdirSync(join(root, 'pxelinux.cfg'), { recursive: true });
    writeFileSync(entryPath, 'KERNEL amd64/generic/bookworm/install/kernel\nINITRD amd64/generic/bookworm/install/initrd\n');
    const install = (i: number) => {
      const [kernel, initrd] = pair(i);
      const fresh = `${purpose}.new`;
      rmSync(fresh, { recursive: true, force: true });
      rmSync(`${purpose}.old`, { recursive: true, force: true });
      mkdirSync(fresh, { recursive: true });
      cpSync(kernel, join(fresh, 'kernel'));
      cpSync(initrd, join(fresh, 'initrd'));
      if (existsSync(purpose)) renameSync(purpose, `${purpose}.old`);
      renameSync(fresh, purpose);
      rmSync(`${purpose}.old`, { recursive: true, force: true });
    };
    install(1);
    const { link, entry } = await race(root, purpose, entryPath, () => {
      for (let i = 0; i < 3_000; i++) install(i);
    });
    expect(link.missing + entry.missing).toBeGreaterThan(0);
  });
});
