import { describe, expect, it } from 'vitest';
import type { AppRunSummary, SlipwayEvent } from '../../../shared/contract/index.js';
import { applyEvent, documentTitle, keptFinished, unseenByView, type Activity } from './activity.js';

const event = (topic: string, payload: unknown) => ({ topic, seq: 1, payload }) as SlipwayEvent;
const started = (id: string, at = '2026-12-02T10:00:00.000Z') =>
  event('builds.started', {
    summary: { id, name: 'lab-node', startedAt: at, status: 'running' },
    steps: [{ id: 'sparse-files', status: 'pending', startedAt: null, durationMs: null }],
    expectedStepMs: { 'sparse-files': 1_000 },
  });
const finished = (id: string, status = 'succeeded', at = '2026-12-02T10:00:00.000Z') => event('builds.finished', { id, name: 'lab-node', startedAt: at, status, finishedAt: '2026-12-02T10:05:00.000Z', error: status === 'failed' ? 'boom' : null });
const run = (id: string, active: boolean, counts: Partial<AppRunSummary['counts']> = {}, failedExits = 0) =>
  event('apps.run', { id, app: 'hello', definitionHash: 'x', startedAt: '2026-12-02T11:00:00.000Z', counts: { NOT_STARTED: 0, BUILDING: 0, RUNNING: 0, FINISHED: 0, FAILED: 0, STOPPED: 0, ...counts }, active, resultsDir: '/r', failedExits });

function replay(events: SlipwayEvent[], watching: (view: string) => boolean = () => false) {
  let items: readonly Activity[] = [];
  const ended: Activity[] = [];
  for (const e of events) {
    const next = applyEvent(items, e, watching);
    items = next.items;
    if (next.ended) ended.push(next.ended);
  }
  return { items, ended };
}

describe('activity (the tray, badges and title)', () => {
  it('follows a build from start through its steps to its end, unseen when it ended on another view', () => {
    const { items, ended } = replay([
      started('b1'),
      event('builds.step', { id: 'b1', step: { id: 'sparse-files', status: 'running', startedAt: '2026-12-02T10:00:01.000Z', durationMs: null } }),
      finished('b1', 'failed'),
    ]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ key: 'build:b1', title: 'Build lab-node', view: 'builds', status: 'failed', error: 'boom', seen: false, expectedStepMs: { 'sparse-files': 1_000 } });
    expect(items[0]!.steps![0]!.status).toBe('running');
    expect(ended.map((a) => a.key)).toEqual(['build:b1']);
    expect(unseenByView(items)).toEqual({ builds: 1 });
    expect(documentTitle(items)).toBe('(1) Slipway');
  });

  it('counts a job that ended on the view the operator watches as seen', () => {
    const { items } = replay([started('b1'), finished('b1')], (view) => view === 'builds');
    expect(items[0]!.seen).toBe(true);
    expect(documentTitle(items)).toBe('Slipway');
  });

  it('shows app runs from their first active report to their end, and ignores runs first seen ended', () => {
    const { items, ended } = replay([run('old', false, { FINISHED: 2 }), run('r1', true, { RUNNING: 1 }), run('r1', true, { RUNNING: 2 }), run('r1', false, { FINISHED: 1, FAILED: 1 }), run('r1', false, { FINISHED: 1, FAILED: 1 })]);
    expect(items.map((a) => [a.key, a.status, a.view, a.title])).toEqual([['app:r1', 'failed', 'applications', 'Run hello']]);
    expect(ended).toHaveLength(1);
  });

  it('calls a run whose app exited non-zero on a node failed, though every node finished', () => {
    const { items } = replay([run('r2', true, { RUNNING: 2 }), run('r2', false, { FINISHED: 2 }, 1)]);
    expect(items.map((a) => [a.key, a.status])).toEqual([['app:r2', 'failed']]);
  });

  it('keeps the newest finished jobs, dropping seen ones before unseen ones', () => {
    const events: SlipwayEvent[] = [];
    for (let i = 0; i < keptFinished + 5; i += 1) {
      const at = new Date(Date.parse('2026-12-02T10:00:00Z') + i * 60_000).toISOString();
      events.push(started(`b${i}`, at), finished(`b${i}`, 'succeeded', at));
    }
    const { items } = replay(events);
    expect(items).toHaveLength(keptFinished);
    expect(items[0]!.id).toBe(`b${keptFinished + 4}`);
  });
});
