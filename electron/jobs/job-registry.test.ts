import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobHistory } from './job-history.js';
import { JobLog, type StepLogLine } from './job-log.js';
import { JobRegistry, type LiveJob } from './job-registry.js';

interface Detail {
  summary: { id: string; startedAt: string; status: string };
  steps: { id: string; status: string }[];
  logTotal: number;
}
type Live = LiveJob<Detail, string>;

describe('the job registry (builds and deploys)', () => {
  let dir: string;
  const history = () =>
    new JobHistory<Detail, StepLogLine<string>>(dir, { kind: 'jobs', id: (d) => d.summary.id, startedAt: (d) => d.summary.startedAt, parseDetail: (raw) => raw as Detail, parseLine: (raw) => raw as StepLogLine<string> });
  const job = (id: string, startedAt: string): Live => ({
    detail: { summary: { id, startedAt, status: 'running' }, steps: [{ id: 'one', status: 'pending' }], logTotal: 0 },
    log: new JobLog<string>(() => undefined),
    run: null,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-registry-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists running jobs newest first, then finished ones; reads a running job as it is now', () => {
    const jobs = new JobRegistry<Detail, string, Live>(history(), 'job');
    const a = job('a', '2026-12-01T10:00:00.000Z');
    const b = job('b', '2026-12-01T11:00:00.000Z');
    jobs.add(a);
    jobs.add(b);
    expect(jobs.summaries().map((s) => s.id)).toEqual(['b', 'a']);
    a.run = { steps: [{ id: 'one', status: 'running' }] };
    a.log.add('one', 'out', 'hello');
    expect(jobs.find('a').detail).toMatchObject({ steps: [{ status: 'running' }], logTotal: 1 });
    expect(jobs.logs('a', 0, 10)).toEqual({ lines: [{ n: 0, step: 'one', stream: 'out', text: 'hello' }], total: 1 });
    expect([...jobs.liveIds()]).toEqual(['a', 'b']);
  });

  it('completes a job into the history: a new registry finds it, its log read from disk', () => {
    const jobs = new JobRegistry<Detail, string, Live>(history(), 'job');
    const a = job('a', '2026-12-01T10:00:00.000Z');
    jobs.add(a);
    a.log.add(null, 'info', 'started');
    a.run = { steps: [{ id: 'one', status: 'done' }] };
    const detail = jobs.complete(a, { ...a.detail.summary, status: 'succeeded' });
    expect(detail).toMatchObject({ summary: { status: 'succeeded' }, steps: [{ status: 'done' }], logTotal: 1 });
    expect(jobs.running('a')).toBeUndefined();
    const again = new JobRegistry<Detail, string, Live>(history(), 'job');
    expect(again.summaries()).toEqual([{ id: 'a', startedAt: '2026-12-01T10:00:00.000Z', status: 'succeeded' }]);
    expect(again.logs('a', 0, 10).lines.map((l) => l.text)).toEqual(['started']);
    expect(again.done()).toHaveLength(1);
  });

  it('refuses an unknown id by name; an unlisted job is no longer live', () => {
    const jobs = new JobRegistry<Detail, string, Live>(history(), 'deploy');
    expect(() => jobs.find('nope')).toThrow(/no deploy nope/);
    jobs.add(job('a', '2026-12-01T10:00:00.000Z'));
    jobs.unlist('a');
    expect([...jobs.liveIds()]).toEqual([]);
  });
});
