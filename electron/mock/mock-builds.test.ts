import { afterEach, describe, expect, it } from 'vitest';
import { buildSteps, fromLogBatch, type EventEnvelope, type LogBatch, type StepId } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createMockBuilds, type MockBuilds } from './mock-builds.js';
import { exampleSpec } from './mock-build-specs.js';

const specNamed = (name: string) => exampleSpec.replace('name: bookworm-node', `name: ${name}`);

function harness(speed = 0) {
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((event) => events.push(event));
  const builds = createMockBuilds({ bus, speed, flushMs: 10 });
  const topics = (id: string, topic: string) => events.filter((e) => e.topic === topic && (e.payload as { id?: string; summary?: { id: string } }).id === id);
  const finished = (id: string) =>
    new Promise<void>((resolve) => {
      const check = () => (events.some((e) => e.topic === 'builds.finished' && (e.payload as { id: string }).id === id) ? resolve() : setTimeout(check, 5));
      check();
    });
  return { bus, events, builds, topics, finished };
}

let open: MockBuilds | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

describe('mock builds', () => {
  it('starts with a succeeded and a failed build, newest first, and a valid example spec', async () => {
    const { builds } = harness();
    open = builds;
    const { handlers } = builds;
    const defaults = await handlers['builds.defaults']({});
    expect(await handlers['builds.validate']({ specText: defaults.exampleSpec })).toMatchObject({ problems: [], specHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const list = await handlers['builds.list']({});
    expect(list.map((b) => [b.name, b.status])).toEqual([['bookworm-gpu', 'failed'], ['bookworm-compute', 'succeeded']]);
    expect(list[0]).toMatchObject({ failedStep: 'install-packages', artifacts: [] });
    expect(list[1]!.artifacts[0]).toMatchObject({ rawMd5: expect.stringMatching(/^[0-9a-f]{32}$/), containerSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('refuses a second build of one name into one folder while the first runs, naming it', async () => {
    const { builds, finished } = harness(1);
    open = builds;
    const { handlers } = builds;
    const { id } = await handlers['builds.start']({ specText: specNamed('twice') });
    await expect(handlers['builds.start']({ specText: specNamed('twice') })).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining(`is already running (build ${id})`) });
    const other = await handlers['builds.start']({ specText: specNamed('another') });
    await handlers['builds.cancel']({ id });
    await handlers['builds.cancel']({ id: other.id });
    await finished(id);
    expect((await handlers['builds.start']({ specText: specNamed('twice') })).id).not.toBe(id);
  });

  it('diffs two builds’ package manifests, and refuses a build that never installed its packages', async () => {
    const { builds, finished } = harness();
    open = builds;
    const { handlers } = builds;
    const [gpu, compute] = await handlers['builds.list']({});
    const { id } = await handlers['builds.start']({ specText: specNamed('diffed').replace('  - chrony\n', '  - chrony\n  - hello\n') });
    await finished(id);
    const diff = await handlers['builds.diff']({ from: compute!.id, to: id });
    expect(diff.added).toEqual([{ name: 'hello', version: '1.0-1', arch: 'amd64' }]);
    expect(diff).toMatchObject({ removed: [], changed: [] });
    expect(diff.unchanged).toBeGreaterThan(20);
    await expect(handlers['builds.diff']({ from: gpu!.id, to: id })).rejects.toMatchObject({ field: 'from', message: expect.stringContaining('before its packages were installed') });
  });

  it('streams steps and batched log lines, and keeps the whole log for paging', async () => {
    const { builds, topics, finished } = harness();
    open = builds;
    const { handlers } = builds;
    const { id, cacheHit } = await handlers['builds.start']({ specText: specNamed('unit-node') });
    expect(cacheHit).toBe(false);
    await finished(id);
    const running = topics(id, 'builds.step').map((e) => (e.payload as { step: { id: string; status: string } }).step).filter((s) => s.status === 'running');
    // Progress messages repeat a running step; each step starts once, in order.
    expect([...new Set(running.map((s) => s.id))]).toEqual(buildSteps.map((s) => s.id));
    const batches = topics(id, 'builds.log').map((e) => fromLogBatch(e.payload as LogBatch<StepId>));
    const streamed = batches.flat();
    expect(batches.length).toBeLessThan(streamed.length / 10);
    expect(streamed.map((l) => l.n)).toEqual(streamed.map((_, i) => i));
    expect(streamed.length).toBeGreaterThan(2_000);
    expect(streamed.some((l) => l.text === 'I: Retrieving libc6 2.36-9+deb12u7')).toBe(true);

    const detail = await handlers['builds.get']({ id });
    expect(detail.summary).toMatchObject({ status: 'succeeded', failedStep: null });
    expect(detail.steps.every((s) => s.status === 'done')).toBe(true);
    expect(detail.logTotal).toBe(streamed.length);
    const page = await handlers['builds.logs']({ id, from: 1_000, count: 5_000 });
    expect(page.total).toBe(streamed.length);
    expect(page.lines[0]).toEqual(streamed[1_000]);
  });

  it('fails a fail-at-<step> spec at that step with the real error, and skips the rest', async () => {
    const { builds, finished } = harness();
    open = builds;
    const { id } = await builds.handlers['builds.start']({ specText: specNamed('fail-at-install-packages') });
    await finished(id);
    const detail = await builds.handlers['builds.get']({ id });
    expect(detail.summary).toMatchObject({ status: 'failed', failedStep: 'install-packages' });
    const statuses = Object.fromEntries(detail.steps.map((s) => [s.id, s.status]));
    expect(statuses).toMatchObject({ debootstrap: 'done', 'install-packages': 'failed', 'post-install': 'skipped', publish: 'skipped' });
    const { lines } = await builds.handlers['builds.logs']({ id, from: 0, count: 5_000 });
    expect(lines.find((l) => l.stream === 'err' && l.step === 'install-packages')?.text).toBe('E: Unable to locate package nosuchpkg');
    expect(lines.at(-1)).toMatchObject({ step: null, text: expect.stringContaining('rm -rf') });
  });

  it('cancels a running build: the running step is cancelled (not failed), later steps are skipped', async () => {
    const { builds, topics } = harness(1);
    open = builds;
    const { id } = await builds.handlers['builds.start']({ specText: specNamed('slow') });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await builds.handlers['builds.cancel']({ id })).toEqual({ cancelled: true });
    const detail = await builds.handlers['builds.get']({ id });
    expect(detail.summary.status).toBe('cancelled');
    expect(detail.steps.filter((s) => s.status === 'failed')).toEqual([]);
    const cancelled = detail.steps.filter((s) => s.status === 'cancelled');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.message).toBe('cancelled by the operator');
    expect(detail.steps.at(-1)!.status).toBe('skipped');
    expect(topics(id, 'builds.finished')).toHaveLength(1);
    expect(await builds.handlers['builds.cancel']({ id })).toEqual({ cancelled: false });
  });

  it('reuses the artifacts of an earlier build of the same spec', async () => {
    const { builds, finished } = harness();
    open = builds;
    const first = await builds.handlers['builds.start']({ specText: specNamed('cached') });
    await finished(first.id);
    const again = await builds.handlers['builds.start']({ specText: `# same spec, other comments\n${specNamed('cached')}` });
    expect(again.cacheHit).toBe(true);
    const [earlier, hit] = await Promise.all([builds.handlers['builds.get'](first), builds.handlers['builds.get']({ id: again.id })]);
    expect(hit.summary).toMatchObject({ status: 'succeeded', cacheHit: true, artifacts: earlier.summary.artifacts });
    expect(hit.steps.every((s) => s.status === 'skipped' && s.message === 'cache hit')).toBe(true);
  });

  it('refuses an invalid spec, naming the field', async () => {
    const { builds } = harness();
    open = builds;
    await expect(builds.handlers['builds.start']({ specText: specNamed('bad/name') })).rejects.toMatchObject({ code: 'bad_request', field: 'name' });
    const { problems } = await builds.handlers['builds.validate']({ specText: 'name: x\nsuite: bookworm\nimages: []\noutput: { dir: /srv }' });
    expect(problems.map((p) => p.field)).toContain('images');
  });
});
