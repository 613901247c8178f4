import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BootRequest, type BuildSummary } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createBootService } from '../boot/boot-service.js';
import { processIdentity } from '../process/process-identity.js';
import { execaRunner } from '../process/runner.js';
import { createPublishService } from '../publish/publish-service.js';
import { canBuild, leaks, makeService, noBaseImages, testSpec } from './test-support/build-harness.js';

/** sha256sum, not Slipway's own hashing: an independent check. */
function sha256(path: string, gunzip = false): string {
  const script = gunzip ? 'gzip -dc "$1" | sha256sum' : 'sha256sum < "$1"';
  return execFileSync('sh', ['-c', script, 'sh', path], { encoding: 'utf8' }).split(' ')[0]!;
}

describe.runIf(canBuild)('a real image build (root, debootstrap from the host mirror)', () => {
  const out = mkdtempSync(join(tmpdir(), 'slipway-out-'));
  const { service, helpers, bus } = makeService();
  let built: BuildSummary | undefined;
  // As at every start: builds a crashed run left behind are cleaned first.
  beforeAll(() => service.recover());
  afterAll(async () => {
    await helpers.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('builds bookworm minbase with one extra package, and the image holds it', { timeout: 600_000 }, async () => {
    const spec = testSpec(out, { packages: ['hello'] });
    const { id, done } = service.start(spec);
    const summary = await done;
    built = summary;
    expect(summary.error).toBeNull();
    expect(summary.status).toBe('succeeded');
    const [artifact] = summary.artifacts;
    expect(artifact).toBeDefined();

    // Checksums in the metadata match the files.
    const metadata = parse(readFileSync(summary.metadataPath!, 'utf8'));
    const image = metadata.images[0];
    expect(sha256(artifact!.path)).toBe(image.container_sha256);
    expect(sha256(artifact!.path, true)).toBe(image.raw_sha256);
    expect(metadata.installed_packages.map((p: { name: string }) => p.name)).toContain('hello');

    // Mounted read-only, the image's dpkg database has the package installed.
    const raw = join(out, 'raw.img');
    const mnt = join(out, 'mnt');
    mkdirSync(mnt);
    execFileSync('sh', ['-c', 'gzip -dc "$1" > "$2"', 'sh', artifact!.path, raw]);
    execFileSync('mount', ['-o', 'loop,ro', raw, mnt]);
    try {
      const status = readFileSync(join(mnt, 'var/lib/dpkg/status'), 'utf8');
      expect(status).toMatch(/Package: hello\nStatus: install ok installed/);
      expect(readFileSync(join(mnt, 'etc/hostname'), 'utf8')).toBe('itest\n');
      expect(readFileSync(join(mnt, 'etc/slipway-test'), 'utf8')).toBe('ok\n');
      expect(() => readFileSync(join(mnt, 'usr/sbin/policy-rc.d'))).toThrow();
    } finally {
      execFileSync('umount', [mnt]);
      rmSync(raw);
    }
    expect(leaks(out, id)).toEqual([]);
  });

  it('an image without a kernel: its boot test and its netboot publish say which package to add', { timeout: 120_000 }, async () => {
    const publisher = createPublishService({
      bus: new EventBus(),
      stateDir: join(out, 'state'),
      helpers,
      tftpRoot: join(out, 'tftp'),
      graceMs: 60_000,
      imagesDir: out,
      owner: processIdentity()!,
      builds: () => service.list(),
      nodes: () => [],
      run: execaRunner,
      httpMain: '/nonexistent',
      nodeBinary: process.execPath,
    });
    const refusal = /no \/boot\/vmlinuz-\* with a matching initrd\.img-\*: add a kernel package \(linux-image-amd64\)/;
    await expect(publisher.netboot({ arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose: 'x' }, { kind: 'build', buildId: built!.id })).rejects.toThrow(refusal);
    const boots = createBootService({ bus: new EventBus(), run: execaRunner, stateDir: join(out, 'state'), builds: () => service.list(), kernelOf: (id, image) => publisher.kernelOf(id, image) });
    const boot = await boots.start(BootRequest.parse({ buildId: built!.id })).done;
    expect(boot).toMatchObject({ status: 'failed', failedStep: 'kernel', error: expect.stringMatching(refusal) });
    expect(existsSync(join(out, 'tftp', 'amd64'))).toBe(false);
  });

  it('rebuilding the same spec is a cache hit', { timeout: 30_000 }, async () => {
    const started = Date.now();
    const { cacheHit, done } = service.start(testSpec(out, { packages: ['hello'] }));
    const summary = await done;
    expect(cacheHit).toBe(true);
    expect(summary.status).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(5_000);
    // A cache hit's packages are those of the build it reused.
    expect(await service.diff(built!.id, summary.id)).toMatchObject({ added: [], removed: [], changed: [], unchanged: expect.any(Number) });
  });

  it('a build that changes only packages starts from the cached base image: no mkfs, no debootstrap', { timeout: 600_000 }, async () => {
    const messages = new Map<string, string>();
    const off = bus.subscribe((event) => {
      const payload = event.payload as { step?: { id: string; status: string; message: string | null } };
      if (event.topic === 'builds.step' && payload.step?.status === 'done') messages.set(payload.step.id, payload.step.message ?? '');
    });
    const { id, done } = service.start(testSpec(out, { packages: ['hello', 'less'] }));
    const summary = await done;
    off();
    expect(summary.status).toBe('succeeded');
    for (const step of ['sparse-files', 'mkfs', 'debootstrap']) expect(messages.get(step), step).toMatch(/^base image reused/);
    expect(leaks(out, id)).toEqual([]);
    // The manifests of the two builds, side by side: less is added, nothing removed.
    const diff = await service.diff(built!.id, id);
    expect(diff.added.map((p) => p.name)).toContain('less');
    expect(diff).toMatchObject({ removed: [], changed: [] });
    expect(diff.unchanged).toBeGreaterThan(80);
  });

  it('a build with another layout installs the base system from the cached .debs, each checked, none downloaded', { timeout: 600_000 }, async () => {
    const { id, done } = service.start(testSpec(out, { name: 'itest-layout', images: noBaseImages() }));
    const summary = await done;
    expect(summary.status).toBe('succeeded');
    const log = (await service.logs(id, 0, 5_000)).lines.map((l) => l.text);
    expect(log.some((line) => line.includes('deb cache hit:'))).toBe(true);
    expect(log.some((line) => line.includes('deb cache: 0 .deb(s) downloaded'))).toBe(true);
    expect(log.some((line) => /^prefetch: 0 \.deb\(s\)/.test(line))).toBe(true);
    // Nor by apt under mmdebstrap: a package download is "Get:N URI suite/component arch name arch version [size]".
    expect(log.filter((line) => /^Get:\d+(?: \S+){6} \[/.test(line))).toEqual([]);
    expect(log.some((line) => /^mmdebstrap: \d+ verified \.deb\(s\) from the cache/.test(line))).toBe(true);
    expect(leaks(out, id)).toEqual([]);
  });
});
