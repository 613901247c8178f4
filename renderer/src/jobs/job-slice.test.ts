import { beforeEach, describe, expect, it } from 'vitest';
import { create } from 'zustand';
import type { DeployDetail, DeployLogLine, DeployStep, DeploySummary } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { createJobSlice, initialJobData, logPageSize, selectSelectedJob, type JobView } from './job-slice.js';
import { toLogBatch } from '../../../shared/contract/log-batch.js';

/** The slice tested once, on a bare store, with deploys' contract types (builds' are the same shape). */
interface TestJob {
  detail: DeployDetail;
  line: DeployLogLine;
  extra: { env: Record<string, string> | null };
}

const useJobs = create<JobView<TestJob>>()(() => ({ ...initialJobData<TestJob>(), error: null }));
const job = createJobSlice<TestJob>(useJobs.setState, useJobs.getState, {
  noun: 'deploy',
  get: (id) => backend().request('deploy.get', { id }),
  logs: (id, from, count) => backend().request('deploy.logs', { id, from, count }),
  cancel: (id) => backend().request('deploy.cancel', { id }),
  extra: (detail) => ({ env: detail?.env ?? null }),
});

const summary = (id: string, change: Partial<DeploySummary> = {}): DeploySummary => ({
  id, image: 'b1:root', imagePath: '/var/lib/slipway/images/x/root.img.gz', specHash: null, extensions: [], target: 'tar:/srv/x.tar',
  status: 'running', startedAt: '2025-01-14T09:00:00.000Z', finishedAt: null, durationMs: null, failedStep: null, error: null, output: null, ...change,
});
const steps = (): DeployStep[] => ['open-image', 'mount-lower', 'target'].map((id) => ({ id, label: id, status: 'pending', startedAt: null, durationMs: null, message: null }));
const detail = (id: string, logTotal = 0): DeployDetail => ({ summary: summary(id), steps: steps(), logTotal, env: { HOSTNAME: id } });
const lines = (from: number, count: number): DeployLogLine[] => Array.from({ length: count }, (_, i) => ({ n: from + i, step: null, stream: 'out', text: `line ${from + i}` }));

/** A backend holding `served[id]` lines of each job's log. */
function serveLogs(served: Record<string, number>) {
  return fakeBackend((command, payload) => {
    const { id, from = 0, count = 0 } = payload as { id: string; from?: number; count?: number };
    if (command === 'deploy.get') return detail(id, served[id] ?? 0);
    if (command === 'deploy.logs') return { lines: lines(from, Math.max(0, Math.min(count, (served[id] ?? 0) - from))), total: served[id] ?? 0 };
    return { cancelled: true };
  });
}
/** The log pages asked for, as `id@from`. */
const logPages = (requests: { command: string; payload: unknown }[]) =>
  requests.filter((r) => r.command === 'deploy.logs').map((r) => r.payload as { id: string; from: number }).map(({ id, from }) => `${id}@${from}`);

describe('job slice', () => {
  beforeEach(() => useJobs.setState({ ...initialJobData<TestJob>(), error: null }));

  it('selects a job: its steps and kind fields, and its log paged in full while live lines wait past a gap', async () => {
    const total = 12_000;
    const requests = fakeBackend((command, payload) => {
      if (command === 'deploy.get') return detail('big', total);
      const { from, count } = payload as { from: number; count: number };
      // Live lines arrive while the second page is on its way: past a gap, so they are held.
      if (from === logPageSize) job.log(toLogBatch('big', lines(total, 30)));
      return { lines: lines(from, Math.min(count, total + 30 - from)), total: from === 0 ? total : total + 30 };
    });
    await job.select('big');
    expect(logPages(requests).slice(0, 3)).toEqual(['big@0', 'big@5000', 'big@10000']);
    const state = useJobs.getState();
    expect(state.selected).toEqual({ id: 'big', steps: steps(), env: { HOSTNAME: 'big' } });
    expect(state.log.length).toBe(total + 30);
    expect(state.log.all.every((line, i) => line.n === i)).toBe(true);
    expect(state).toMatchObject({ logLoading: false, logTotal: total + 30, error: null });
  });

  it('fetches the lines a gap in the live stream left out, then takes the held ones', async () => {
    const served = { d1: 100 };
    const requests = serveLogs(served);
    await job.select('d1');
    expect(useJobs.getState().log.length).toBe(100);

    // Events 100–149 were dropped: the batch after them waits while the missing lines are fetched.
    served.d1 = 160;
    job.log(toLogBatch('d1', lines(150, 10)));
    expect(useJobs.getState().log.waiting).toBe(true);
    await job.resync(); // joins the running fill
    const { log, logTotal } = useJobs.getState();
    expect(log.waiting).toBe(false);
    expect(log.all.map((l) => l.n)).toEqual(Array.from({ length: 160 }, (_, i) => i));
    expect(logTotal).toBe(160);
    expect(logPages(requests)).toContain('d1@100');
  });

  it('keeps steps and lines of a job that is not selected out, and adds it to the history', async () => {
    serveLogs({ d1: 0 });
    await job.select('d1');
    const revision = useJobs.getState().logRevision;
    job.started(detail('d2'));
    job.step({ id: 'd2', step: { ...steps()[0]!, status: 'done' } });
    job.log(toLogBatch('d2', lines(0, 10)));
    const state = useJobs.getState();
    expect(state.history.map((d) => d.id)).toEqual(['d2', 'd1']);
    expect(state.selected?.steps?.every((s) => s.status === 'pending')).toBe(true);
    expect(state.log.length).toBe(0);
    expect(state.logRevision).toBe(revision);

    const running: DeployStep = { ...steps()[1]!, status: 'running', message: 'mounting' };
    job.step({ id: 'd1', step: running });
    expect(useJobs.getState().selected?.steps?.[1]).toEqual(running);
  });

  it('takes a running step’s progress once a frame, the newest, and a change of status at once', async () => {
    serveLogs({ d1: 0 });
    await job.select('d1');
    const running = (message: string): DeployStep => ({ ...steps()[1]!, status: 'running', message });
    job.step({ id: 'd1', step: running('1 of 3') });
    const before = useJobs.getState().selected;
    job.step({ id: 'd1', step: running('2 of 3') });
    job.step({ id: 'd1', step: running('3 of 3') });
    // Progress of a step already running waits: one store update for all of it, not one an event.
    expect(useJobs.getState().selected).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(useJobs.getState().selected?.steps?.[1]).toEqual(running('3 of 3'));

    job.step({ id: 'd1', step: running('4 of 5') });
    const done: DeployStep = { ...steps()[1]!, status: 'done', message: null, durationMs: 40 };
    job.step({ id: 'd1', step: done });
    expect(useJobs.getState().selected?.steps?.[1]).toEqual(done);
    // The progress that waited does not come back over the step's end.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(useJobs.getState().selected?.steps?.[1]).toEqual(done);
  });

  it('keeps the history newest first, one entry a job, whatever order started and finished come in', () => {
    job.started({ ...detail('old'), summary: summary('old', { startedAt: '2025-01-14T08:00:00.000Z' }) });
    job.started({ ...detail('new'), summary: summary('new', { startedAt: '2025-01-14T10:00:00.000Z' }) });
    job.finished(summary('mid', { startedAt: '2025-01-14T09:00:00.000Z', status: 'succeeded' }));
    job.finished(summary('old', { startedAt: '2025-01-14T08:00:00.000Z', status: 'failed' }));
    job.started({ ...detail('new'), summary: summary('new', { startedAt: '2025-01-14T10:00:00.000Z', target: 'tar:/srv/y.tar' }) });
    const { history } = useJobs.getState();
    expect(history.map((d) => `${d.id}:${d.status}`)).toEqual(['new:running', 'mid:succeeded', 'old:failed']);
    expect(history[0]!.target).toBe('tar:/srv/y.tar');
  });

  it('takes a selected job’s steps from its started event, and its summary from the history', async () => {
    serveLogs({});
    await job.select('d1');
    job.started({ ...detail('d1', 40), env: { HOSTNAME: 'other' } });
    expect(useJobs.getState()).toMatchObject({ selected: { id: 'd1', env: { HOSTNAME: 'other' } }, logTotal: 40 });
    job.finished(summary('d1', { status: 'cancelled' }));
    expect(selectSelectedJob(useJobs.getState())?.status).toBe('cancelled');
  });

  it('drops a page and a detail that arrive after the selection changed, and asks no more for that job', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const requests = fakeBackend((command, payload) => {
      const { id, from = 0 } = payload as { id: string; from?: number };
      const answer = command === 'deploy.get' ? detail(id, id === 'slow' ? 50 : 5) : { lines: lines(from, id === 'slow' ? 20 : 5 - from), total: id === 'slow' ? 50 : 5 };
      return id === 'slow' ? gate.then(() => answer) : answer;
    });
    const slow = job.select('slow');
    // A live batch past a gap asks the running fill to go round once more.
    job.log(toLogBatch('slow', lines(30, 5)));
    await job.select('quick');
    open();
    await slow;

    const state = useJobs.getState();
    expect(state.selected?.id).toBe('quick');
    expect(state.log.all.map((l) => l.n)).toEqual([0, 1, 2, 3, 4]);
    expect(state).toMatchObject({ logTotal: 5, logLoading: false });
    expect(state.history.map((d) => d.id)).toEqual(['quick']);
    expect(logPages(requests)).toEqual(['slow@0', 'quick@0']);
  });

  it('cancels through the backend and says so when it cannot', async () => {
    const requests = fakeBackend(() => {
      throw new Error('not running');
    });
    await job.cancel('d1');
    expect(requests).toEqual([{ command: 'deploy.cancel', payload: { id: 'd1' } }]);
    expect(useJobs.getState().error).toBe('Could not cancel: not running');
  });
});
