import { beforeEach, describe, expect, it } from 'vitest';
import type { CellApp, CellServer, CellStreamEvent, CellTraceEvent } from '../../../shared/contract/cells.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { exitText, filterApps, noCellAppFilter, rowsOfSnapshot, sortApps } from './cell-rows.js';
import { useCellTrace } from './cell-trace-store.js';
import { initialCellsData, selectApp, selectShownApps, selectStateCounts, useCells } from './cells-store.js';

const app = (n: number, state: CellApp['state'], server: string | null, extra: Partial<CellApp> = {}): CellApp => ({
  instance: `proid${n % 2}.web#${String(n).padStart(10, '0')}`,
  proid: `proid${n % 2}`,
  state,
  server,
  when: null,
  exit: null,
  ...extra,
});
const server = (host: string, partition: string): CellServer => ({ host, present: true, state: 'up', since: 1, partition, parent: null, capacity: { memory: 1024, cpu: 400, disk: 2048 }, traits: [], blackedOut: null, placed: 0 });
const connection = { state: 'connected' as const, since: 1, lastGoodRead: 1, stale: false, error: null };
const snapshot = (seq: number, apps: CellApp[]): CellStreamEvent => ({ kind: 'snapshot', cell: 'lab', seq, connection, servers: [server('h1', 'prod'), server('h2', 'batch')], apps, problems: [], traceEvents: 0 });
const delta = (seq: number, change: { upserted?: CellApp[]; removed?: string[]; events?: CellTraceEvent[] }): CellStreamEvent => ({
  kind: 'delta',
  cell: 'lab',
  seq,
  servers: { upserted: [], removed: [] },
  apps: { upserted: change.upserted ?? [], removed: change.removed ?? [] },
  events: change.events ?? [],
  problems: { upserted: [], removed: [] },
});
const traceEvent = (instance: string, when: number, type: string): CellTraceEvent => ({ instance, when, source: 'h1', type, data: '', text: type, node: `${instance},${when},h1,${type},` });

/** Applies as a frame would: everything received, then one flush. */
const land = (...events: CellStreamEvent[]) => useCells.getState().applyAll(events);

describe('cell rows', () => {
  it('filters by proid, server, partition and words, counting states under the other filters', () => {
    const rows = rowsOfSnapshot(snapshot(1, [app(1, 'running', 'h1'), app(2, 'running', 'h2'), app(3, 'pending', null), app(4, 'finished', 'h1')]) as never, 1);
    const all = filterApps(rows.apps.values(), rows.servers, noCellAppFilter);
    expect(all.counts).toMatchObject({ running: 2, pending: 1, finished: 1, placed: 0 });
    const prod = filterApps(rows.apps.values(), rows.servers, { ...noCellAppFilter, partition: 'prod', state: 'running' });
    expect(prod.kept.map((a) => a.instance)).toEqual(['proid1.web#0000000001']);
    // The counts are of every state the other filters keep: the chips say what a click would show.
    expect(prod.counts).toMatchObject({ running: 1, finished: 1 });
    expect(filterApps(rows.apps.values(), rows.servers, { ...noCellAppFilter, text: '0003' }).kept.map((a) => a.state)).toEqual(['pending']);
  });

  it('sorts by a key, ties by instance; ended ones by time; says a signal when rc > 255', () => {
    const apps = [app(3, 'finished', 'h2', { when: 30 }), app(1, 'running', 'h1'), app(2, 'finished', 'h1', { when: 20 })];
    expect(sortApps([...apps], { key: 'when', dir: 'asc' }).map((a) => a.when)).toEqual([20, 30, null]);
    expect(sortApps([...apps], { key: 'server', dir: 'desc' }).map((a) => a.server)).toEqual(['h2', 'h1', 'h1']);
    expect(sortApps([...apps], { key: 'state', dir: 'asc' }).map((a) => a.state)).toEqual(['running', 'finished', 'finished']);
    expect(exitText(app(1, 'finished', 'h1', { exit: { rc: 265, signal: 9 } }))).toBe('signal 9');
    expect(exitText(app(1, 'finished', 'h1', { exit: { rc: 1, signal: 0 } }))).toBe('rc 1');
  });
});

describe('cells store', () => {
  beforeEach(() => {
    useCells.setState(initialCellsData());
    useCellTrace.getState().open(null);
  });

  it('follows one cell: a snapshot, then deltas applied in one set() per frame, selectors stable between', async () => {
    const requests = fakeBackend(() => ({ cell: 'lab', seq: 1 }));
    await useCells.getState().show('lab');
    expect(requests).toEqual([{ command: 'cells.subscribe', payload: { cell: 'lab' } }]);
    land(snapshot(1, [app(1, 'pending', null), app(2, 'running', 'h1')]));
    const before = selectShownApps(useCells.getState());
    expect(before.map((a) => a.state)).toEqual(['running', 'pending']);
    useCells.getState().select('proid0.web#0000000002');
    expect(selectShownApps(useCells.getState())).toBe(before);

    let sets = 0;
    const stop = useCells.subscribe(() => (sets += 1));
    land(delta(2, { upserted: [app(1, 'placed', 'h2')] }), delta(3, { upserted: [app(5, 'pending', null)], removed: ['proid0.web#0000000002'] }));
    stop();
    expect(sets).toBe(1);
    const s = useCells.getState();
    expect(selectShownApps(s).map((a) => [a.instance, a.state])).toEqual([['proid1.web#0000000001', 'placed'], ['proid1.web#0000000005', 'pending']]);
    expect(selectStateCounts(s)).toMatchObject({ placed: 1, pending: 1, running: 0 });
    expect(s.seq).toBe(3);
    // The removed app's detail says it is gone rather than showing what it was.
    expect(selectApp(s)).toBeNull();
  });

  it('a gap subscribes again and applies nothing until the snapshot comes; events of other cells are dropped', async () => {
    const requests = fakeBackend(() => ({ cell: 'lab', seq: 1 }));
    await useCells.getState().show('lab');
    land(snapshot(1, [app(1, 'pending', null)]));
    land({ ...delta(2, { upserted: [app(7, 'running', 'h1')] }), cell: 'other' });
    land(delta(3, { upserted: [app(1, 'running', 'h1')] }), delta(4, { upserted: [app(2, 'running', 'h1')] }));
    expect(useCells.getState().seq).toBe(1);
    expect(selectShownApps(useCells.getState()).map((a) => a.state)).toEqual(['pending']);
    await Promise.resolve();
    expect(requests.filter((r) => r.command === 'cells.subscribe')).toHaveLength(2);
    land(snapshot(4, [app(1, 'running', 'h1'), app(2, 'running', 'h1')]), delta(5, { removed: ['proid1.web#0000000001'] }));
    expect(useCells.getState().seq).toBe(5);
    expect(selectShownApps(useCells.getState()).map((a) => a.instance)).toEqual(['proid0.web#0000000002']);
  });

  it('the open app’s trace is read, then followed from deltas, each event once and in time order', async () => {
    const first = traceEvent('proid0.web#0000000002', 10, 'scheduled');
    fakeBackend((command) => (command === 'cells.trace' ? [first] : { cell: 'lab', seq: 1 }));
    await useCells.getState().show('lab');
    land(snapshot(1, [app(2, 'placed', 'h1')]));
    useCells.getState().select('proid0.web#0000000002');
    await new Promise((resolve) => setTimeout(resolve, 0));
    land(delta(2, { events: [first, traceEvent('proid0.web#0000000002', 12, 'service_running'), traceEvent('proid1.web#0000000003', 11, 'pending'), traceEvent('proid0.web#0000000002', 11, 'configured')] }));
    expect(useCellTrace.getState().events.map((e) => e.type)).toEqual(['scheduled', 'configured', 'service_running']);
    expect(useCells.getState().traceEvents).toBe(4);
  });

  it('switching cells unsubscribes the previous one and forgets its rows', async () => {
    const requests = fakeBackend(() => ({ cell: 'x', seq: 1, unsubscribed: true }));
    await useCells.getState().show('lab');
    land(snapshot(1, [app(1, 'pending', null)]));
    await useCells.getState().show('other');
    expect(requests.map((r) => [r.command, r.payload])).toEqual([
      ['cells.subscribe', { cell: 'lab' }],
      ['cells.unsubscribe', { cell: 'lab' }],
      ['cells.subscribe', { cell: 'other' }],
    ]);
    expect(useCells.getState().rows.apps.size).toBe(0);
  });
});
