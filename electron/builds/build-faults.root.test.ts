import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSteps, type StepId } from '../../shared/contract/index.js';
import { packageRoot } from '../backend/app-paths.js';
import { canBuild, leaks, logLineSeen, makeService, noBaseImages, tempStateDir, testSpec, testWorkspace } from './test-support/build-harness.js';

const slipway = join(packageRoot(), 'bin', 'slipway.mjs');

/** Resolves when the build's step starts running. */
function stepRunning(bus: ReturnType<typeof makeService>['bus'], id: StepId): Promise<void> {
  return new Promise((resolve) => {
    const off = bus.subscribe((event) => {
      const payload = event.payload as { step?: { id: string; status: string } };
      if (event.topic === 'builds.step' && payload.step?.id === id && payload.step.status === 'running') {
        off();
        resolve();
      }
    });
  });
}

describe.runIf(canBuild)('build faults leave nothing behind (root, real builds)', () => {
  const out = mkdtempSync(join(tmpdir(), 'slipway-faults-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.each(buildSteps.map((s) => s.id))('a failure injected at %s releases everything', { timeout: 600_000 }, async (step) => {
    const { service, helpers } = makeService({ failAt: step });
    try {
      const { id, done } = service.start(testSpec(out, { name: `fault-${step}` }));
      const summary = await done;
      expect(summary.status).toBe('failed');
      expect(summary.failedStep).toBe(step);
      expect(summary.error).toBe(`injected fault at ${step}`);
      const steps = service.get(id).steps;
      const failedAt = steps.findIndex((s) => s.id === step);
      expect(steps.slice(failedAt + 1).every((s) => s.status === 'skipped')).toBe(true);
      expect(leaks(out, id)).toEqual([]);
    } finally {
      await helpers.close();
    }
  });

  it('concurrent builds never share a loop device', { timeout: 120_000 }, async () => {
    const { service, helpers, bus } = makeService({ failAt: 'mkfs' });
    const devices = new Map<string, string>();
    bus.subscribe((event) => {
      const payload = event.payload as { id?: string; step?: { id: string; status: string; message: string | null } };
      if (event.topic === 'builds.step' && payload.step?.id === 'loop-devices' && payload.step.status === 'done') devices.set(payload.id!, payload.step.message!);
    });
    try {
      const builds = ['a', 'b', 'c'].map((name) => service.start(testSpec(out, { name: `concurrent-${name}`, images: noBaseImages() })));
      // The same spec again while it runs (a double click): refused, naming the running build.
      expect(() => service.start(testSpec(out, { name: 'concurrent-a', images: noBaseImages() }))).toThrow(`a build of concurrent-a into ${out} is already running (build ${builds[0]!.id})`);
      await Promise.all(builds.map((b) => b.done));
      expect(devices.size).toBe(3);
      expect(new Set(devices.values()).size).toBe(3);
      for (const { id } of builds) expect(leaks(out, id)).toEqual([]);
    } finally {
      await helpers.close();
    }
  });

  it('Ctrl-C of slipway build cancels cleanly: exit 130, nothing left', { timeout: 600_000 }, async () => {
    const spec = join(out, 'interrupt.yaml');
    writeFileSync(spec, testSpec(out, { name: 'interrupted', images: noBaseImages() }));
    const env = { ...process.env, SLIPWAY_WORKSPACE: testWorkspace, SLIPWAY_STATE_DIR: tempStateDir() };
    const cli = spawn(process.execPath, [slipway, 'build', '--json', spec], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let buildId = '';
    let status = '';
    createInterface({ input: cli.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { topic: string; payload: { summary?: { id: string }; status?: string; step?: { id: string; status: string } } };
      if (event.topic === 'builds.started') buildId = event.payload.summary!.id;
      if (event.topic === 'builds.finished') status = event.payload.status!;
      if (event.topic === 'builds.step' && event.payload.step?.id === 'debootstrap' && event.payload.step.status === 'running') setTimeout(() => cli.kill('SIGINT'), 1_500);
    });
    const code = await new Promise((resolve) => cli.once('exit', resolve));
    expect(code).toBe(130);
    expect(status).toBe('cancelled');
    expect(leaks(out, buildId)).toEqual([]);
  });

  it('a reader that goes away (slipway build | head) cancels the build: nothing left', { timeout: 600_000 }, async () => {
    const spec = join(out, 'reader-gone.yaml');
    writeFileSync(spec, testSpec(out, { name: 'reader-gone', images: noBaseImages() }));
    // Its own workspace: the CLI's start-up recovery must not touch builds other tests run in the shared one.
    const workspace = mkdtempSync(join(tmpdir(), 'slipway-reader-gone-'));
    const env = { ...process.env, SLIPWAY_WORKSPACE: workspace, SLIPWAY_STATE_DIR: tempStateDir() };
    const cli = spawn(process.execPath, [slipway, 'build', '--json', spec], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    cli.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    let buildId = '';
    const lines = createInterface({ input: cli.stdout! });
    lines.on('line', (line) => {
      const event = JSON.parse(line) as { topic: string; payload: { summary?: { id: string }; step?: { id: string; status: string } } };
      if (event.topic === 'builds.started') buildId = event.payload.summary!.id;
      if (event.topic === 'builds.step' && event.payload.step?.id === 'debootstrap' && event.payload.step.status === 'running') {
        lines.close();
        cli.stdout!.destroy(); // the reader closes its end, as head does after its lines
      }
    });
    const code = await new Promise((resolve) => cli.once('exit', resolve));
    expect(said).toContain('output closed: cancelling the build');
    expect(code).toBe(130);
    expect(buildId).not.toBe('');
    expect(leaks(out, buildId, workspace)).toEqual([]);
    rmSync(workspace, { recursive: true, force: true });
  });

  it('a cancel during debootstrap stops it and releases everything', { timeout: 600_000 }, async () => {
    const { service, helpers, bus } = makeService();
    try {
      const debootstrap = stepRunning(bus, 'debootstrap');
      const { id, done } = service.start(testSpec(out, { name: 'cancelled', images: noBaseImages() }));
      await debootstrap;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(service.cancel(id)).toBe(true);
      const summary = await done;
      expect(summary.status).toBe('cancelled');
      expect(summary.failedStep).toBe('debootstrap');
      expect(leaks(out, id)).toEqual([]);
    } finally {
      await helpers.close();
    }
  });

  it('a cancel while mmdebstrap installs (its /dev, /proc and /sys mounted in the chroot) releases everything', { timeout: 600_000 }, async () => {
    const { service, helpers, bus } = makeService();
    try {
      const installing = logLineSeen(bus, 'I: installing essential packages');
      const { id, done } = service.start(testSpec(out, { name: 'cancelled-mmdebstrap', images: noBaseImages() }));
      await installing;
      expect(service.cancel(id)).toBe(true);
      const summary = await done;
      expect(summary.status).toBe('cancelled');
      expect(summary.failedStep).toBe('debootstrap');
      expect(leaks(out, id)).toEqual([]);
      // The build's staged set of .debs and the prefetch's scratch are gone; the verified cache stays.
      const cached = readdirSync(join(testWorkspace, 'cache', 'debs'), { recursive: true }).map(String);
      expect(cached.filter((name) => name.includes(`stage-${id}`) || name.includes(`prefetch-${id}`))).toEqual([]);
      expect(cached.some((name) => name.endsWith('.deb'))).toBe(true);
    } finally {
      await helpers.close();
    }
  });

  it('a SIGKILL of the helper mid-build is recovered at once, nothing leaked', { timeout: 600_000 }, async () => {
    const { service, helpers, bus } = makeService();
    try {
      const debootstrap = stepRunning(bus, 'debootstrap');
      const { id, done } = service.start(testSpec(out, { name: 'helper-killed', images: noBaseImages() }));
      await debootstrap;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      process.kill((await helpers.get()).pid!, 'SIGKILL');
      const summary = await done;
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/helper exited \(killed by SIGKILL\)/);
      const log = (await service.logs(id, 0, 100_000)).lines.map((l) => l.text);
      expect(log.some((line) => line.startsWith('recovered:') && line.includes('released directory'))).toBe(true);
      expect(leaks(out, id)).toEqual([]);
    } finally {
      await helpers.close();
    }
  });

  /** Starts `slipway build --json` in its own process group and SIGKILLs the group 1.5 s into debootstrap, like a crash. */
  async function crashDuringDebootstrap(env: NodeJS.ProcessEnv, spec: string): Promise<string> {
    const cli = spawn(process.execPath, [slipway, 'build', '--json', spec], { env, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const buildId = await new Promise<string>((resolve, reject) => {
      let id = '';
      cli.once('exit', () => reject(new Error('the build ended before it could be killed')));
      createInterface({ input: cli.stdout! }).on('line', (line) => {
        const event = JSON.parse(line) as { topic: string; payload: { summary?: { id: string }; id?: string; step?: { id: string; status: string } } };
        if (event.topic === 'builds.started') id = event.payload.summary!.id;
        if (event.topic === 'builds.step' && event.payload.step?.id === 'debootstrap' && event.payload.step.status === 'running') setTimeout(() => resolve(id), 1_500);
      });
    });
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    process.kill(-cli.pid!, 'SIGKILL');
    await exited;
    return buildId;
  }

  async function cleanupSays(env: NodeJS.ProcessEnv): Promise<string> {
    const cleanup = spawn(process.execPath, [slipway, 'build', '--cleanup'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    cleanup.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const code = await new Promise((resolve) => cleanup.once('exit', resolve));
    expect(code).toBe(0);
    return said;
  }

  it('after Slipway and its helper are SIGKILLed, the next start says what it cleaned', { timeout: 600_000 }, async () => {
    const spec = join(out, 'crash.yaml');
    writeFileSync(spec, testSpec(out, { name: 'crashed', images: noBaseImages() }));
    const env = { ...process.env, SLIPWAY_WORKSPACE: testWorkspace, SLIPWAY_STATE_DIR: tempStateDir() };
    const buildId = await crashDuringDebootstrap(env, spec);
    expect(leaks(out, buildId).some((leak) => leak.startsWith('build dir'))).toBe(true);
    expect(await cleanupSays(env)).toContain(`recovered after an earlier crash: ${buildId}: released directory`);
    expect(leaks(out, buildId)).toEqual([]);
  });

  it('a crash while the base .debs download: the next start releases the build, and the .deb cache holds only whole packages', { timeout: 600_000 }, async () => {
    const spec = join(out, 'crash-download.yaml');
    writeFileSync(spec, testSpec(out, { name: 'crashed-download', images: noBaseImages() }));
    // A workspace of its own, so that no .deb is cached yet (and no other test's build is recovered).
    const workspace = mkdtempSync(join(tmpdir(), 'slipway-crash-download-'));
    const env = { ...process.env, SLIPWAY_WORKSPACE: workspace, SLIPWAY_STATE_DIR: tempStateDir() };
    const buildId = await crashDuringDebootstrap(env, spec);
    expect(leaks(out, buildId, workspace).some((leak) => leak.startsWith('build dir'))).toBe(true);
    const said = await cleanupSays(env);
    expect(said).toContain(`recovered after an earlier crash: ${buildId}: released directory`);
    expect(said).not.toContain('NOT cleaned');
    expect(leaks(out, buildId, workspace)).toEqual([]);
    // debootstrap downloads into partial/ and moves a .deb in once its checksum matched: a cut-off download is never among them.
    const caches = join(workspace, 'cache', 'debs');
    const debs = readdirSync(caches).flatMap((mirror) => readdirSync(join(caches, mirror)).filter((name) => name.endsWith('.deb')).map((name) => join(caches, mirror, name)));
    for (const deb of debs) expect(() => execFileSync('dpkg-deb', ['--contents', deb], { stdio: 'ignore' }), deb).not.toThrow();
    rmSync(workspace, { recursive: true, force: true });
  });
});
