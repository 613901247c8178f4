import { describe, expect, it } from 'vitest';
import { buildSteps, type StepId } from '../../shared/contract/index.js';
import type { HelperOp } from '../helper/helper-protocol.js';
import { specHash } from './spec-hash.js';
import { initialSteps } from './build-pipeline.js';
import { parse } from 'yaml';
import { mirror, spec, buildId, dir, root, owner, harness, brief, stepIds, callsThrough, fullSequence, statuses } from './test-support/fake-helper.js';

describe('initialSteps', () => {
  it('lists the 13 steps in order, all pending', () => {
    const steps = initialSteps();
    expect(steps.map((s) => s.id)).toEqual(stepIds);
    expect(steps).toHaveLength(13);
    expect(steps.every((s) => s.status === 'pending' && s.startedAt === null && s.durationMs === null && s.message === null)).toBe(true);
  });
});

describe('BuildRun', () => {
  it('runs the 13 steps in order and ends with every step done, timed', async () => {
    const { helper, run, events } = harness({ now: () => new Date('2025-01-01T12:00:00.000Z') });
    // One slow operation, so a duration is measurable.
    helper.respond.debootstrap = () => new Promise((resolve) => setTimeout(() => resolve({}), 30));
    const outcome = await run.run();

    expect(outcome).toMatchObject({ status: 'succeeded', failedStep: null, error: null, metadataPath: '/srv/images/lab.yaml', unreleased: [] });
    expect(outcome.released).toEqual([`mount at ${root}`, `directory ${dir}`]);
    expect(run.steps.map((s) => s.id)).toEqual(stepIds);
    expect(statuses(run.steps)).toEqual(stepIds.map(() => 'done'));
    for (const step of run.steps) {
      expect(step.startedAt).toBe('2025-01-01T12:00:00.000Z');
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
      expect(step.message).toEqual(expect.any(String));
    }
    expect(run.steps.find((s) => s.id === 'debootstrap')!.durationMs).toBeGreaterThanOrEqual(25);
    // Each step was announced running, then done, one after the other.
    expect(events.map((e) => `${e.id}:${e.status}`)).toEqual(stepIds.flatMap((id) => [`${id}:running`, `${id}:done`]));
  });

  it('calls the helper in fuel-agent\'s order: shallowest mount first, proc before apt-get, deepest unmount first, build.close last', async () => {
    const { helper, run } = harness();
    await run.run();
    expect(helper.calls.map(brief)).toEqual(fullSequence);
    expect(helper.calls.every((c) => c.args.buildId === buildId)).toBe(true);
  });

  it('passes what each operation needs', async () => {
    const { helper, run } = harness();
    await run.run();
    const args = (op: HelperOp) => helper.calls.filter((c) => c.op === op).map((c) => c.args);
    expect(args('build.open')).toEqual([{ buildId, outputDir: '/srv/images', owner }]);
    expect(args('mkfs')[1]).toMatchObject({ device: '/dev/loop8', fs: { name: 'root', fsType: 'ext4', label: 'root', mountPoint: '/' } });
    expect(args('debootstrap')).toEqual([
      { buildId, suite: 'bookworm', mirror, variant: 'minbase', arch: 'amd64', target: root, debCache: `/ws/cache/debs/${specHash(mirror).slice(0, 12)}`, tool: 'mmdebstrap' },
    ]);
    expect(args('fs.shrink').map((a) => a.fsType)).toEqual(['ext4', 'ext4', 'ext3']);
    expect(args('artifact.pack').every((a) => a.container === 'gzip')).toBe(true);
    const written = (path: string) => args('file.write').find((a) => a.path === path)!;
    expect(written(`${root}/etc/apt/sources.list`).content).toContain(`deb ${mirror} bookworm main`);
    expect(written(`${root}/etc/hostname`).content).toBe('lab\n');
    expect(written(`${root}/etc/motd`).content).toBe('lab node\n');
  });

  it('with bootstrap: debootstrap, sets dpkg\'s unsafe I/O before debootstrap\'s second stage runs dpkg', async () => {
    const { helper, run } = harness({ spec: { ...spec, bootstrap: 'debootstrap' } });
    await run.run();
    const calls = helper.calls.map(brief);
    const unsafe = calls.indexOf(`file.write ${root}/etc/dpkg/dpkg.cfg.d/90slipway-unsafe-io 644`);
    expect(unsafe).toBeGreaterThanOrEqual(0);
    expect(unsafe).toBeLessThan(calls.indexOf(`debootstrap bookworm ${root}`));
    expect(helper.calls.find((c) => c.op === 'debootstrap')!.args.tool).toBe('debootstrap');
  });

  it('publishes artifacts with the helper\'s sums, and metadata with the spec hash and installed packages', async () => {
    const { helper, run } = harness();
    const outcome = await run.run();
    expect(outcome.artifacts.map((a) => [a.image, a.path])).toEqual([
      ['mysql', '/srv/images/lab.mysql.img.gz'],
      ['root', '/srv/images/lab.root.img.gz'],
      ['var', '/srv/images/lab.var.img.gz'],
    ]);
    expect(outcome.artifacts[0]).toMatchObject({ container: 'gzip', rawSize: 300 * 2 ** 20, rawMd5: 'a'.repeat(32), containerSize: 90 * 2 ** 20, containerSha256: 'c'.repeat(64) });
    const metadata = parse(String(helper.calls.find((c) => c.op === 'file.write' && c.args.path === '/srv/images/lab.yaml')!.args.content));
    expect(metadata.spec_sha256).toBe(specHash(spec));
    expect(metadata.build_id).toBe(buildId);
    expect(metadata.installed_packages).toEqual([
      { name: 'curl', version: '7.88.1-10+deb12u8', arch: 'amd64' },
      { name: 'less', version: '590-2.1~deb12u2', arch: 'amd64' },
    ]);
    expect(metadata.images.map((i: { container_name: string }) => i.container_name)).toEqual(['lab.mysql.img.gz', 'lab.root.img.gz', 'lab.var.img.gz']);
    // Every step before publish (still running while it writes the metadata) with its duration.
    expect(Object.keys(metadata.step_durations_ms)).toEqual(buildSteps.map((s) => s.id).filter((id) => id !== 'publish'));
    for (const ms of Object.values(metadata.step_durations_ms)) expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('routes helper output and its own notes to the running step, and build.close output to no step', async () => {
    const { helper, run, logs } = harness();
    helper.respond.debootstrap = (_args, onLog) => {
      onLog({ stream: 'out', text: 'I: Retrieving InRelease' });
      onLog({ stream: 'err', text: 'W: a warning' });
      return {};
    };
    helper.respond['build.close'] = (_args, onLog) => {
      onLog({ stream: 'info', text: `released directory ${dir}` });
      return { released: [`directory ${dir}`], failed: [] };
    };
    await run.run();
    expect(logs).toContainEqual({ step: 'debootstrap', stream: 'out', text: 'I: Retrieving InRelease' });
    expect(logs).toContainEqual({ step: 'debootstrap', stream: 'err', text: 'W: a warning' });
    expect(logs).toContainEqual({ step: 'loop-devices', stream: 'info', text: `root: /dev/loop8 ← ${dir}/root.img` });
    expect(logs).toContainEqual({ step: 'unmount', stream: 'info', text: `unmounted ${root}/proc` });
    expect(logs.at(-1)).toEqual({ step: null, stream: 'info', text: `released directory ${dir}` });
  });

  it.each<StepId>(['sparse-files', 'mount', 'install-packages', 'unmount', 'publish'])('failAt %s fails that step after its work, skips the rest, and still closes', async (failAt) => {
    const { helper, run, logs } = harness({ failAt });
    const outcome = await run.run();
    const index = stepIds.indexOf(failAt);
    expect(outcome).toMatchObject({ status: 'failed', failedStep: failAt, error: `injected fault at ${failAt}`, artifacts: [], metadataPath: null });
    expect(outcome.released).toHaveLength(2);
    expect(statuses(run.steps)).toEqual(stepIds.map((_, i) => (i < index ? 'done' : i === index ? 'failed' : 'skipped')));
    expect(run.steps[index]!.message).toBe(`injected fault at ${failAt}`);
    for (const step of run.steps.slice(index + 1)) expect(step.message).toBe(`skipped: ${run.steps[index]!.label} failed`);
    expect(logs).toContainEqual({ step: failAt, stream: 'err', text: `injected fault at ${failAt}` });
    // The failing step did all its work, nothing after it ran, and build.close came last.
    expect(helper.calls.map(brief)).toEqual(callsThrough(failAt));
  });
});
