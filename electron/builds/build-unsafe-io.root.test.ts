import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canBuild, leaks, makeService, noBaseImages, testSpec } from './test-support/build-harness.js';

/**
 * dpkg runs with force-unsafe-io while building, so nothing built before the
 * end is durable: a build killed while it compresses must leave nothing that
 * looks like a finished artifact (no file at its final name, no metadata).
 */
describe.runIf(canBuild)('a build with unsafe I/O killed mid-way (root, real build)', () => {
  const out = mkdtempSync(join(tmpdir(), 'slipway-unsafe-io-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('SIGKILL of the helper during compress: no artifact at its name, no metadata, nothing leaked', { timeout: 600_000 }, async () => {
    const { service, helpers, bus } = makeService();
    try {
      const compressing = new Promise<void>((resolve) => {
        const off = bus.subscribe((event) => {
          const texts = event.topic === 'builds.log' ? (event.payload as { texts: string[] }).texts : [];
          // The first 64 MiB of the image went through the compressor: its container is being written.
          if (texts.some((text) => /^compressed \d+% of /.test(text))) {
            off();
            resolve();
          }
        });
      });
      const { id, done } = service.start(testSpec(out, { name: 'unsafe-killed', images: noBaseImages() }));
      await compressing;
      expect(readdirSync(out).some((name) => name.includes(`.partial-${id}`))).toBe(true);
      process.kill((await helpers.get()).pid!, 'SIGKILL');
      const summary = await done;
      expect(summary.status).toBe('failed');
      expect(summary.failedStep).toBe('compress');
      expect(existsSync(join(out, 'unsafe-killed.root.img.gz'))).toBe(false);
      expect(existsSync(join(out, 'unsafe-killed.yaml'))).toBe(false);
      expect(leaks(out, id)).toEqual([]);
    } finally {
      await helpers.close();
    }
  });
});
