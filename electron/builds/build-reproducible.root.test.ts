import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpecText } from '../../shared/builds/spec-text.js';
import type { BuildSummary } from '../../shared/contract/index.js';
import { canBuild, leaks, makeService, testSpec } from './test-support/build-harness.js';
import { fsSeeds } from './reproducible-steps.js';
import { hostDebianMirror } from './host-mirror.js';

const epoch = 1_700_000_000;

/** sha256sum and dumpe2fs, not Slipway's own code: an independent check. */
const sha256 = (path: string) => execFileSync('sh', ['-c', 'sha256sum < "$1"', 'sh', path], { encoding: 'utf8' }).split(' ')[0]!;
const superblock = (path: string) => execFileSync('sh', ['-c', 'gzip -dc "$1" > "$1.raw" && dumpe2fs -h "$1.raw" 2>/dev/null; rm -f "$1.raw"', 'sh', path], { encoding: 'utf8' });

describe.runIf(canBuild)('a reproducible build (root, debootstrap from the host mirror)', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-repro-'));
  const { service, helpers } = makeService();
  beforeAll(() => service.recover());
  afterAll(async () => {
    await helpers.close();
    rmSync(base, { recursive: true, force: true });
  });

  async function build(outputDir: string): Promise<BuildSummary> {
    const summary = await service.start(testSpec(outputDir, { packages: ['hello'], sourceDateEpoch: epoch })).done;
    expect(summary.error).toBeNull();
    expect(leaks(outputDir, summary.id)).toEqual([]);
    return summary;
  }

  it('gives the same bytes twice, into two output folders, with the UUID the spec derives', { timeout: 900_000 }, async () => {
    const first = await build(join(base, 'one'));
    const second = await build(join(base, 'two'));
    const [a, b] = [first.artifacts[0]!, second.artifacts[0]!];
    expect(a.path).not.toBe(b.path);
    expect(sha256(b.path)).toBe(sha256(a.path));
    expect(b.rawSha256).toBe(a.rawSha256);

    const parsed = parseSpecText(testSpec(join(base, 'one'), { packages: ['hello'], sourceDateEpoch: epoch }), (raw) => ({ mirror: hostDebianMirror(), arch: 'amd64', ...raw }));
    if (!parsed.ok) throw new Error('the test spec is invalid');
    const info = superblock(a.path);
    expect(info).toMatch(new RegExp(`^Filesystem UUID: +${fsSeeds(parsed.spec, 'root').uuid}$`, 'm'));
    expect(info).toMatch(/^Filesystem created: +Tue Nov 14 22:13:20 2023$/m);
  });
});
