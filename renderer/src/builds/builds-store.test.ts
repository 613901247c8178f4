import { beforeEach, describe, expect, it } from 'vitest';
import { buildSteps, type BuildDetail, type BuildSummary, type LogLine, type SlipwayEvent, type StepState } from '../../../shared/contract/index.js';
import { initialBuildsData, selectSelectedSummary, useBuilds } from './builds-store.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { toLogBatch } from '../../../shared/contract/log-batch.js';

const summary = (id: string, change: Partial<BuildSummary> = {}): BuildSummary => ({
  id, name: `image-${id}`, specHash: 'f'.repeat(64), status: 'running', cacheHit: false, startedAt: '2025-01-14T09:00:00.000Z',
  finishedAt: null, durationMs: null, failedStep: null, error: null, artifacts: [], metadataPath: null, ...change,
});
const steps = (): StepState[] => buildSteps.map((s) => ({ id: s.id, label: s.label, status: 'pending', startedAt: null, durationMs: null, message: null }));
const detail = (id: string): BuildDetail => ({ summary: summary(id), steps: steps(), logTotal: 0, specText: 'name: x' });
const lines = (from: number, count: number): LogLine[] => Array.from({ length: count }, (_, i) => ({ n: from + i, step: 'debootstrap', stream: 'out', text: `I: line ${from + i}` }));

let seq = 0;
const event = (e: Omit<SlipwayEvent, 'seq'>) => useBuilds.getState().apply({ ...e, seq: ++seq } as SlipwayEvent);


/** The job part itself (paging, gaps, other jobs' events, the selection check) is tested once, in jobs/job-slice.test.ts. */
describe('builds store events', () => {
  beforeEach(() => {
    useBuilds.setState(initialBuildsData());
    fakeBackend((command) => (command === 'builds.get' ? detail('b1') : command === 'builds.logs' ? { lines: [], total: 0 } : null));
  });

  it('follows the selected build: started, steps, log batches in order, finished', async () => {
    await useBuilds.getState().select('b1');
    event({ topic: 'builds.started', payload: detail('b1') });
    const running = { ...steps()[5]!, status: 'running' as const, startedAt: '2025-01-14T09:00:02.000Z', message: 'retrieving packages: 8 of 88' };
    event({ topic: 'builds.step', payload: { id: 'b1', step: running } });
    event({ topic: 'builds.log', payload: toLogBatch('b1', lines(0, 50)) });
    event({ topic: 'builds.log', payload: toLogBatch('b1', lines(50, 70)) });
    // The store hears of new lines once a frame (the next task, without frames).
    await new Promise((resolve) => setTimeout(resolve, 0));

    let state = useBuilds.getState();
    expect(state.selected?.steps?.find((s) => s.id === 'debootstrap')).toEqual(running);
    expect(state.selected?.steps?.filter((s) => s.status === 'pending')).toHaveLength(buildSteps.length - 1);
    expect(state.selected?.specText).toBe('name: x');
    expect(state.log.all.map((l) => l.n)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(state.logTotal).toBe(120);
    expect(selectSelectedSummary(state)?.status).toBe('running');

    event({ topic: 'builds.finished', payload: summary('b1', { status: 'failed', failedStep: 'debootstrap', error: 'debootstrap: no network' }) });
    state = useBuilds.getState();
    expect(state.history).toHaveLength(1);
    expect(selectSelectedSummary(state)).toMatchObject({ status: 'failed', failedStep: 'debootstrap' });
  });

  it('shows spec problems with their field as the text changes', () => {
    useBuilds.getState().setSpecText('name: bad/name\nsuite: bookworm\nimages: []\noutput: { dir: /srv }');
    expect(useBuilds.getState().problems.map((p) => p.field)).toEqual(expect.arrayContaining(['name', 'images']));
    useBuilds.getState().setSpecText('name: ok\nsuite: bookworm\nimages: [{ name: root, size: 1G, mountPoint: / }]\noutput: { dir: /srv }');
    expect(useBuilds.getState().problems).toEqual([]);
  });
});

describe('builds store resync', () => {
  beforeEach(() => useBuilds.setState(initialBuildsData()));

  it('reloads the history, the selected build and the rest of its log on resync', async () => {
    let served = 100;
    const finished = summary('b1', { status: 'succeeded', finishedAt: '2025-01-14T09:00:04.000Z', durationMs: 4_000 });
    const requests = fakeBackend((command, payload) => {
      if (command === 'builds.defaults') return { mirror: null, arch: 'amd64', outputDir: '/srv/images', workspace: '/srv/work', exampleSpec: 'name: example' };
      if (command === 'builds.list') return [finished];
      if (command === 'builds.get') return { ...detail('b1'), summary: served > 100 ? finished : summary('b1'), logTotal: served };
      const { from, count } = payload as { from: number; count: number };
      return { lines: lines(from, Math.max(0, Math.min(count, served - from))), total: served };
    });
    await useBuilds.getState().select('b1');
    expect(useBuilds.getState().log.length).toBe(100);

    // Events were dropped for a slow client meanwhile: the resync fills the gap from where the log stopped.
    served = 160;
    await useBuilds.getState().load();
    const state = useBuilds.getState();
    expect(selectSelectedSummary(state)).toEqual(finished);
    expect(state.log.length).toBe(160);
    expect(state.specText).toBe('name: example');
    expect(requests.filter((r) => r.command === 'builds.logs').map((r) => (r.payload as { from: number }).from)).toEqual([0, 100]);
  });
});
