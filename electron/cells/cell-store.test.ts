import { describe, expect, it } from 'vitest';
import { CellStore } from './cell-store.js';

const instance = 'proid.web#0000000001';

describe('the cell store (rows derived from what was read, only changes flushed)', () => {
  it('derives an app state from the strongest evidence: running, finished, placed, scheduled', () => {
    const store = new CellStore();
    store.setScheduled([instance]);
    expect(store.flush().apps.upserted).toMatchObject([{ instance, state: 'pending', server: null, proid: 'proid' }]);
    store.setPlacementState('h1', { state: 'up', since: 1 });
    store.setPlaced('h1', [instance]);
    expect(store.flush().apps.upserted).toMatchObject([{ state: 'placed', server: 'h1' }]);
    store.setRunning(instance, 'h1');
    expect(store.flush().apps.upserted).toMatchObject([{ state: 'running', server: 'h1' }]);
    store.setFinished(instance, { state: 'finished', when: 5, host: 'h1', data: '256.15' });
    expect(store.flush().apps.upserted).toEqual([]); // still running: the live node wins
    store.setRunning(instance, undefined);
    store.setScheduled([]);
    store.setPlaced('h1', []);
    expect(store.flush().apps.upserted).toMatchObject([{ state: 'finished', when: 5, exit: { rc: 256, signal: 15 } }]);
    store.setFinished(instance, undefined);
    expect(store.flush().apps.removed).toEqual([instance]);
  });

  it('keeps a server up while any of its presence nodes is there, and flushes nothing unchanged', () => {
    const store = new CellStore();
    store.setServer('h1', { partition: 'p', parent: null, capacity: { memory: 1, cpu: 1, disk: 1 }, traits: [] });
    store.setPresence(['h1#0000000001', 'h1#0000000002']);
    expect(store.flush().servers.upserted).toMatchObject([{ host: 'h1', present: true, state: 'up' }]);
    store.setPresence(['h1#0000000002']);
    expect(store.flush().servers.upserted).toEqual([]);
    store.setPresence([]);
    expect(store.flush().servers.upserted).toMatchObject([{ host: 'h1', present: false, state: 'down' }]);
  });

  it('records bad instance names as problems and clears a problem once fixed', () => {
    const store = new CellStore();
    store.setScheduled(['nope', instance]);
    const changes = store.flush();
    expect(changes.apps.upserted.map((app) => app.instance)).toEqual([instance]);
    expect(changes.problems.upserted).toEqual([{ path: '/scheduled/nope', problem: '"nope" is not an instance name' }]);
    store.setProblem('/scheduled/nope', null);
    expect(store.flush().problems.removed).toEqual(['/scheduled/nope']);
  });

  it('keeps trace events as their node names: each counted once, parsed when asked for, in time order', () => {
    const store = new CellStore();
    // Instance 1 lives in shard 0001; names as trace/app/zk.py:publish writes them.
    const first = `${instance},9.5,h,deleted,`;
    const second = `${instance},10,h,deleted,`;
    const other = 'proid.web#0000000257,1,h,deleted,';
    store.setTraceShard('0001', [second, other, 'junk']);
    // Read before the first flush: part of the snapshot, not a delta.
    expect(store.flush().events).toEqual([]);
    store.setTraceShard('0001', [second, first, other, 'junk']);
    expect(store.flush().events.map((e) => e.node)).toEqual([first]);
    expect(store.traceOf(instance).map((e) => e.when)).toEqual([9.5, 10]);
    expect(store.traceOf(instance)[0]).toMatchObject({ instance, source: 'h', type: 'deleted', text: 'deleted' });
    expect(store.rows().traceEvents).toBe(3);
    expect(store.rows().problems).toEqual([{ path: '/trace/0001/junk', problem: expect.stringMatching(/<instance>,<when>/) }]);
    // Pruned: uncounted, no delta, its problem gone.
    store.setTraceShard('0001', [first]);
    expect(store.flush().events).toEqual([]);
    expect(store.rows()).toMatchObject({ traceEvents: 1, problems: [] });
    expect(store.traceOf(instance).map((e) => e.node)).toEqual([first]);
  });
});
