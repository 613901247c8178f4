import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StepStatus } from '../../shared/contract/index.js';
import { JobHistory } from './job-history.js';
import { JobLog, type StepLogLine } from './job-log.js';
import { JobRegistry, type LiveJob } from './job-registry.js';

interface Detail {
  summary: { id: string; startedAt: string; status: string; finishedAt: string | null; durationMs: number | null; failedStep: string | null; error: string | null };
  steps: { id: string; status: StepStatus; message: string | null; startedAt: string | null; durationMs: number | null }[];
  logTotal: number;
}
const step = (id: string, status: StepStatus = 'pending', durationMs: number | null = null) => ({ id, status, message: null, startedAt: null, durationMs });
type Live = LiveJob<Detail, string>;

describe('the job registry (builds and deploys)', () => {
  let dir: string;
  const history = () =>
    new JobHistory<Detail, StepLogLine<string>>(dir, { kind: 'jobs', id: (d) => d.summary.id, startedAt: (d) => d.summary.startedAt, parseDetail: (raw) => raw as Detail, parseLine: (raw) => raw as StepLogLine<string> });
  const job = (id: string, startedAt: string): Live => ({
    detail: { summary: { id, startedAt, status: 'running', finishedAt: null, durationMs: null, failedStep: null, error: null }, steps: [step('one'), step('two'), step('three')], logTotal: 0 },
    log: new JobLog<string>(() => undefined),
    run: null,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-registry-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists running jobs newest first, then finished ones; reads a running job as it is now', async () => {
    const jobs = new JobRegistry<Detail, string, Live>(history(), 'job');
    const a = job('a', '2026-12-01T10:00:00.000Z');
    const b = job('b', '2026-12-01T11:00:00.000Z');
    jobs.add(a);
    jobs.add(b);
    expect(jobs.summaries().map((s) => s.id)).toEqual(['b', 'a']);
    a.run = { steps: [step('one', 'running'), step('two'), step('three')] };
    a.log.add('one', 'out', 'hello');
    expect(jobs.find('a').detail).toMatchObject({ steps: [{ status: 'running' }, { status: 'pending' }, { status: 'pending' }], logTotal: 1 });
    expect(await jobs.logs('a', 0, 10)).toEqual({ lines: [{ n: 0, step: 'one', stream: 'out', text: 'hello' }], total: 1 });
    expect([...jobs.liveIds()]).toEqual(['a', 'b']);
  });

  it('completes a job into the history: a new registry finds it, its log read from disk', async () => {
    const jobs = new JobRegistry<Detail, string, Live>(history(), 'job');
    const a = job('a', '2026-12-01T10:00:00.000Z');
    jobs.add(a);
    a.log.add(null, 'info', 'started');
    a.run = { steps: [step('one', 'done'), step('two', 'done'), step('three', 'done')] };
    const detail = jobs.complete(a, { ...a.detail.summary, status: 'succeeded' });
    expect(detail).toMatchObject({ summary: { status: 'succeeded' }, steps: [{ status: 'done' }, { status: 'done' }, { status: 'done' }], logTotal: 1 });
    expect(jobs.running('a')).toBeUndefined();
    const again = new JobRegistry<Detail, string, Live>(history(), 'job');
    expect(again.summaries()).toMatchObject([{ id: 'a', startedAt: '2026-12-01T10:00:00.000Z', status: 'succeeded' }]);
    expect((await again.logs('a', 0, 10)).lines.map((l) => l.text)).toEqual(['started']);
    expect(again.done()).toHaveLength(1);
  });

  it('expects each step to take what it took in earlier jobs like the new one, the others filling the gaps', () => {
    const jobs = new JobRegistry<Detail, string, Live>(history(), 'job');
    const run = (id: string, status: string, durations: number[]) => {
      const entry = job(id, `2026-12-01T1${id.length}:00:00.000Z`);
      jobs.add(entry);
      entry.run = { steps: durations.map((ms, index) => step(['one', 'two', 'three'][index]!, 'done', ms)) };
      jobs.complete(entry, { ...entry.detail.summary, status });
    };
    expect(jobs.expectedSteps(() => true)).toBeNull();
    run('a', 'succeeded', [1_000, 2_000]);
    run('bb', 'failed', [9_000, 9_000, 9_000]);
    run('ccc', 'succeeded', [5_000, 6_000, 6_000]);
    expect(jobs.expectedSteps((d) => d.summary.id === 'a')).toEqual({ one: 1_000, two: 2_000, three: 7_500 });
    expect(jobs.expectedSteps((d) => d.summary.id === 'nope')).toEqual({ one: 5_000, two: 6_000, three: 7_500 });
  });

  it('refuses an unknown id by name; an unlisted job is no longer live', () => {
    const jobs = new JobRegistry<Detail, string, Live>(history(), 'deploy');
    expect(() => jobs.find('nope')).toThrow(/no deploy nope/);
    jobs.add(job('a', '2026-12-01T10:00:00.000Z'));
    jobs.unlist('a');
    expect([...jobs.liveIds()]).toEqual([]);
  });

  it('a long running log keeps its recent lines in memory and reads older ones from its file; once finished, from the file alone', async () => {
    const jobs = new JobRegistry<Detail, string, Live>(history(), 'job');
    const a: Live = { ...job('a', '2026-12-01T10:00:00.000Z'), log: new JobLog<string>(() => undefined, 50, { lines: 100, bytes: 1 << 20 }) };
    jobs.add(a);
    for (let i = 0; i < 5_000; i++) a.log.add('one', i % 7 === 0 ? 'err' : 'out', `line ${i}`);
    a.log.flush();
    expect(a.log.inMemory).toBeLessThanOrEqual(100);
    const expected = (from: number, count: number) => Array.from({ length: count }, (_, k) => ({ n: from + k, step: 'one', stream: (from + k) % 7 === 0 ? 'err' : 'out', text: `line ${from + k}` }));
    expect(await jobs.logs('a', 0, 3)).toEqual({ lines: expected(0, 3), total: 5_000 });
    expect(await jobs.logs('a', 4_850, 100)).toEqual({ lines: expected(4_850, 100), total: 5_000 });
    expect(jobs.find('a').detail.logTotal).toBe(5_000);
    jobs.complete(a, { ...a.detail.summary, status: 'succeeded' });
    expect(await jobs.logs('a', 2_047, 3)).toEqual({ lines: expected(2_047, 3), total: 5_000 });
    expect(readFileSync(join(dir, 'jobs', 'a.log.jsonl'), 'utf8').split('\n')).toHaveLength(5_001);
    expect(jobs.find('a').detail.logTotal).toBe(5_000);
  });

  describe('crash recovery: a job is on disk from its start', () => {
    const dead = { pid: 999_999, startTime: '1' };

    function crashMidway() {
      vi.useFakeTimers();
      const jobs = new JobRegistry<Detail, string, Live>(history(), 'job', { owner: dead });
      const a = job('a', '2026-12-01T10:00:00.000Z');
      jobs.add(a);
      a.run = { steps: [step('one', 'done'), step('two', 'running'), step('three')] };
      jobs.stepped(a);
      a.log.add('one', 'out', 'one is done');
      a.log.add('two', 'out', 'two under way');
      a.log.flush();
      vi.advanceTimersByTime(500);
      vi.useRealTimers();
      // The process dies here: nothing more is written, nothing completes.
    }

    it('a job whose process died ends as failed at the step under way; its log is kept and says why', async () => {
      crashMidway();
      const next = new JobRegistry<Detail, string, Live>(history(), 'job', { alive: () => false });
      const { detail } = next.find('a');
      expect(detail.summary).toMatchObject({ status: 'failed', failedStep: 'two', error: expect.stringMatching(/^interrupted: the Slipway process running it \(pid 999999\) ended/) });
      expect(detail.summary.finishedAt).not.toBeNull();
      expect(detail.steps.map((s) => [s.id, s.status])).toEqual([['one', 'done'], ['two', 'failed'], ['three', 'skipped']]);
      expect((await next.logs('a', 0, 10)).lines.map((l) => l.text)).toEqual(['one is done', 'two under way', detail.summary.error]);
      expect(detail.logTotal).toBe(3);
      // Recorded once: a third start finds it ended, not interrupted again.
      const third = new JobRegistry<Detail, string, Live>(history(), 'job', { alive: () => true });
      expect(third.find('a').detail).toEqual(detail);
      expect((await third.logs('a', 0, 10)).total).toBe(3);
    });

    it('a job whose process is alive (a CLI beside the console) is left to it, as it is', async () => {
      crashMidway();
      const beside = new JobRegistry<Detail, string, Live>(history(), 'job', { alive: () => true });
      expect(beside.find('a').detail.summary.status).toBe('running');
      expect(beside.find('a').detail.steps.map((s) => s.status)).toEqual(['done', 'running', 'pending']);
      expect((await beside.logs('a', 0, 10)).lines.map((l) => l.text)).toEqual(['one is done', 'two under way']);
      // When it finishes, its owner saves it whole: then it is simply finished.
    });

    it('a line torn by the crash is cut off; the reason starts a line of its own and the log reads whole', async () => {
      crashMidway();
      appendFileSync(join(dir, 'jobs', 'a.log.jsonl'), '{"n": 2, "step": "two", "str');
      const next = new JobRegistry<Detail, string, Live>(history(), 'job', { alive: () => false });
      const { detail } = next.find('a');
      expect((await next.logs('a', 0, 10)).lines).toEqual([
        { n: 0, step: 'one', stream: 'out', text: 'one is done' },
        { n: 1, step: 'two', stream: 'out', text: 'two under way' },
        { n: 2, step: null, stream: 'err', text: detail.summary.error },
      ]);
      expect(detail.logTotal).toBe(3);
    });

    it('what a release could not free goes to journal recovery, and the log says what it cleaned', async () => {
      const jobs = new JobRegistry<Detail, string, Live>(history(), 'job');
      const a = job('a', '2026-12-01T10:00:00.000Z');
      jobs.add(a);
      await jobs.recoverLeftovers(a, 'three', ['/dev/loop7 still attached'], async () => {
        // Recovery sees the job as an orphan only once it is no longer live.
        expect([...jobs.liveIds()]).toEqual([]);
        return ['detached /dev/loop7'];
      });
      await jobs.recoverLeftovers(a, 'three', [], async () => ['never asked']);
      expect((await a.log.page(0, 10)).map((l) => `${l.step} ${l.stream} ${l.text}`)).toEqual(['three err left for journal recovery: /dev/loop7 still attached', 'three info recovered: detached /dev/loop7']);
    });
  });

  it('a job a dead process left that may be carried on is held, not ended; adopted, its log goes on after its last whole line, its lines\' helper numbers kept on disk', async () => {
    const first = new JobRegistry<Detail, string, Live>(history(), 'job');
    const a = job('a', '2026-12-01T10:00:00.000Z');
    const b = job('b', '2026-12-01T11:00:00.000Z');
    first.add(a);
    first.add(b);
    a.log.add('one', 'out', 'before', 41);
    a.log.flush();
    // The process dies mid-line.
    appendFileSync(join(dir, 'jobs', 'a.log.jsonl'), '{"n":1,"step":"one","str');
    const next = new JobRegistry<Detail, string, Live>(history(), 'job', { alive: () => false, carriesOn: (id) => id !== 'b' });
    expect(next.heldJobs().map((d) => d.summary.id)).toEqual(['a']);
    expect(next.summaries().map((s) => `${s.id} ${s.status}`)).toEqual(['a running', 'b failed']);
    const again = job('a', '2026-12-01T10:00:00.000Z');
    expect(next.adopt(again)).toBe(1);
    expect(history().lastSeq('a')).toBe(41);
    again.log.add('one', 'out', 'after', 42);
    expect((await next.logs('a', 0, 10)).lines.map((l) => l.text)).toEqual(['before', 'after']);
    // The numbers are the file's, not the viewer's.
    expect((await next.logs('a', 1, 1)).lines[0]).toEqual({ n: 1, step: 'one', stream: 'out', text: 'after' });
    again.log.flush();
    expect(history().lastSeq('a')).toBe(42);
    expect([...next.liveIds()]).toEqual(['a']);
  });

  it('a held job that cannot be carried on ends, saying why', () => {
    const first = new JobRegistry<Detail, string, Live>(history(), 'job');
    first.add(job('a', '2026-12-01T10:00:00.000Z'));
    const next = new JobRegistry<Detail, string, Live>(history(), 'job', { alive: () => false, carriesOn: () => true });
    next.interrupt('a', 'interrupted: its helper is gone');
    expect(next.heldJobs()).toEqual([]);
    expect(next.summaries()).toMatchObject([{ id: 'a', status: 'failed', error: 'interrupted: its helper is gone' }]);
  });
});
