import { beforeEach, describe, expect, it } from 'vitest';
import type { ContainerEventLine, ContainerRow, ContainerScan, SlipwayEvent } from '../../../shared/contract/index.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { containerRow, containerScan } from '../test-support/container-fixtures.js';
import { initialTraceData, useContainerTrace } from './container-trace-store.js';
import { initialContainersData, keyOf, selectAllRows, selectScans, selectSelectedRow, selectShownRows, selectStateCounts, useContainers } from './containers-store.js';

const event = (e: Omit<SlipwayEvent, 'seq'>) => useContainerTrace.getState().apply({ ...e, seq: 1 } as SlipwayEvent);
const line = (second: number, type: string, instance = 'proid.web#0000000002'): ContainerEventLine => ({ at: `2026-11-23T10:00:${String(second).padStart(2, '0')}.000Z`, instance, type, text: type, trace: type, details: null });

/** What the backend sends a subscribed console, numbered per node. */
const seqs = new Map<string, number>();
const next = (node: string) => {
  seqs.set(node, (seqs.get(node) ?? 0) + 1);
  return seqs.get(node)!;
};
const snapshot = (node: string, rows: ContainerRow[], change: Partial<ContainerScan> = {}) => {
  seqs.set(node, 0);
  useContainers.getState().applyDeltas([{ node, seq: next(node), snapshot: containerScan(node, rows, change) }]);
};
const delta = (node: string, change: { added?: ContainerRow[]; changed?: ContainerRow[]; removed?: ContainerRow[] }, seq = next(node)) => {
  const { rows: _rows, ...scan } = containerScan(node, []);
  useContainers.getState().applyDeltas([{ node, seq, scan, added: change.added ?? [], changed: change.changed ?? [], removed: (change.removed ?? []).map((r) => ({ instance: r.instance, unique: r.unique })) }]);
};

describe('containers store', () => {
  beforeEach(() => {
    useContainers.setState(initialContainersData());
    seqs.clear();
  });

  it('follows every Treadmill node: snapshots, then deltas applied to the rows they name, one set() each', async () => {
    const requests = fakeBackend((command) => (command === 'containers.subscribe' ? { nodes: ['n1', 'n2'] } : null));
    await useContainers.getState().load();
    expect(requests).toEqual([{ command: 'containers.subscribe', payload: {} }]);
    snapshot('n1', [containerRow('n1', 3, 'configured'), containerRow('n1', 2)]);
    snapshot('n2', [], { error: 'connect ECONNREFUSED 10.0.3.7:22' });
    expect(selectScans(useContainers.getState()).map((s) => [s.node, s.error, s.count])).toEqual([['n1', null, 2], ['n2', 'connect ECONNREFUSED 10.0.3.7:22', 0]]);
    expect(selectAllRows(useContainers.getState()).map((r) => r.instance)).toEqual(['lab.train#0000000003', 'proid.web#0000000002']);
    const before = selectShownRows(useContainers.getState());
    // Selectors give the same rows while the rows are the same.
    useContainers.getState().select(keyOf(before.find((r) => r.instance === 'proid.web#0000000002')!));
    expect(selectShownRows(useContainers.getState())).toBe(before);

    let sets = 0;
    const stop = useContainers.subscribe(() => (sets += 1));
    delta('n1', { changed: [containerRow('n1', 2, 'finished', { summary: 'return code: 0' })], added: [containerRow('n1', 1)], removed: [containerRow('n1', 3)] });
    stop();
    expect(sets).toBe(1);
    expect(selectAllRows(useContainers.getState()).map((r) => [r.instance, r.state])).toEqual([['lab.train#0000000001', 'running'], ['proid.web#0000000002', 'finished']]);
    expect(selectSelectedRow(useContainers.getState())).toMatchObject({ state: 'finished', summary: 'return code: 0' });
    // Another node's rows are the same array as before the delta.
    const n2Rows = useContainers.getState().rows.byNode.n2;
    delta('n1', { added: [containerRow('n1', 9, 'killed')] });
    expect(useContainers.getState().rows.byNode.n2).toBe(n2Rows);
    // Cleaned up: the selection stays (its timeline too), the row is gone.
    delta('n1', { removed: [containerRow('n1', 2)] });
    expect(selectSelectedRow(useContainers.getState())).toBeNull();
    expect(useContainers.getState().selected?.instance).toBe('proid.web#0000000002');

    // A subscribe answer without a node drops it, and its filter.
    useContainers.getState().showNode('n2');
    fakeBackend(() => ({ nodes: ['n1'] }));
    await useContainers.getState().load();
    expect(selectScans(useContainers.getState()).map((s) => s.node)).toEqual(['n1']);
    expect(useContainers.getState().filter.node).toBeNull();
  });

  it('the deltas of one frame (several nodes) are applied after it, together: one set()', async () => {
    snapshot('n1', []);
    snapshot('n2', []);
    let sets = 0;
    const stop = useContainers.subscribe(() => (sets += 1));
    const { rows: _rows, ...scan } = containerScan('n1', []);
    useContainers.getState().applyDelta({ node: 'n1', seq: 2, scan, added: [containerRow('n1', 1)], changed: [], removed: [] });
    useContainers.getState().applyDelta({ node: 'n2', seq: 2, scan: { ...scan, node: 'n2' }, added: [containerRow('n2', 2)], changed: [], removed: [] });
    expect(sets).toBe(0);
    await Promise.resolve();
    stop();
    expect(sets).toBe(1);
    expect(selectAllRows(useContainers.getState()).map((r) => r.node)).toEqual(['n1', 'n2']);
  });

  it('a delta that does not follow the last one is a gap: nothing applied, the snapshots are asked for again', async () => {
    snapshot('n1', [containerRow('n1', 1)]);
    const requests = fakeBackend(() => ({ nodes: ['n1'] }));
    delta('n1', { added: [containerRow('n1', 2)] }, 3);
    delta('n1', { added: [containerRow('n1', 4)] }, 4);
    expect(selectAllRows(useContainers.getState())).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Once, however many deltas came meanwhile.
    expect(requests).toEqual([{ command: 'containers.subscribe', payload: {} }]);
    snapshot('n1', [containerRow('n1', 1), containerRow('n1', 2), containerRow('n1', 4)]);
    delta('n1', { added: [containerRow('n1', 6)] });
    expect(selectAllRows(useContainers.getState()).map((r) => r.instance)).toEqual(['lab.train#0000000001', 'proid.web#0000000002', 'proid.web#0000000004', 'proid.web#0000000006']);
  });

  it('a just-configured selection is listing until a scan of its node lists it, then it is an ordinary selection', () => {
    snapshot('n1', []);
    snapshot('n2', []);
    const made = containerRow('n1', 7, 'configured');
    useContainers.getState().select({ ...keyOf(made), listing: true });
    // Another node's row of the same name does not list it.
    delta('n2', { added: [containerRow('n2', 7, 'configured')] });
    delta('n1', {});
    expect(useContainers.getState().selected?.listing).toBe(true);
    delta('n1', { added: [made] });
    expect(useContainers.getState().selected).toEqual(keyOf(made));
    // Removed later: gone, not listing.
    delta('n1', { removed: [made] });
    expect(selectSelectedRow(useContainers.getState())).toBeNull();
    expect(useContainers.getState().selected?.listing).toBeUndefined();
  });

  it('filters and counts, sorts on a second click the other way, and says when the subscribe failed', async () => {
    snapshot('n1', [containerRow('n1', 1, 'running'), containerRow('n1', 2, 'killed'), containerRow('n1', 4, 'running')]);
    snapshot('n2', [containerRow('n2', 3, 'running')]);
    const { showNode, setApp, showState, sortBy } = useContainers.getState();
    showNode('n1');
    expect(selectStateCounts(useContainers.getState())).toMatchObject({ running: 2, killed: 1 });
    showState('running');
    expect(selectShownRows(useContainers.getState()).map((r) => r.instance)).toEqual(['lab.train#0000000001', 'proid.web#0000000004']);
    setApp('web');
    expect(selectShownRows(useContainers.getState()).map((r) => r.instance)).toEqual(['proid.web#0000000004']);
    expect(selectStateCounts(useContainers.getState())).toMatchObject({ running: 1, killed: 1 });
    sortBy('age');
    expect(useContainers.getState().sort).toEqual({ key: 'age', dir: 'asc' });
    sortBy('age');
    expect(useContainers.getState().sort).toEqual({ key: 'age', dir: 'desc' });
    sortBy('state');
    expect(useContainers.getState().sort).toEqual({ key: 'state', dir: 'asc' });

    fakeBackend(() => {
      throw new Error('backend lost');
    });
    await useContainers.getState().load();
    expect(useContainers.getState().error).toBe('Could not scan the Treadmill nodes: backend lost');
  });

  it('10,000 rows: a delta of ten rows is applied in well under a frame, and derived lists are computed once', () => {
    // The best of five: a shared machine may stall any one run (a GC, a neighbour), never all five.
    const times: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      snapshot('n1', Array.from({ length: 10_000 }, (_, i) => containerRow('n1', i)));
      expect(selectShownRows(useContainers.getState())).toHaveLength(10_000);
      const started = performance.now();
      delta('n1', { changed: Array.from({ length: 5 }, (_, i) => containerRow('n1', i * 7, 'finished')), added: [containerRow('n1', 20_001)], removed: [containerRow('n1', 3), containerRow('n1', 4)] });
      const shown = selectShownRows(useContainers.getState());
      times.push(performance.now() - started);
      expect(shown).toHaveLength(9_999);
      expect(selectShownRows(useContainers.getState())).toBe(shown);
      expect(selectStateCounts(useContainers.getState()).finished).toBe(5);
    }
    // About a millisecond or two when idle.
    expect(Math.min(...times)).toBeLessThan(50);
  });
});

describe('container trace store', () => {
  beforeEach(() => useContainerTrace.setState(initialTraceData()));

  it('fetches the selected instance’s timeline, merges what came meanwhile, and follows its node’s events', async () => {
    const answers: ((lines: ContainerEventLine[]) => void)[] = [];
    const requests = fakeBackend(() => new Promise((resolve) => answers.push(resolve)));
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    useContainerTrace.getState().open({ node: 'n1', instance: 'proid.web#0000000002' });
    expect(requests).toEqual([{ command: 'containers.trace', payload: { node: 'n1', instance: 'proid.web#0000000002' } }]);
    expect(useContainerTrace.getState().loading).toBe(true);
    // While the trace is out: this instance's line is held, other instances and nodes are not.
    event({ topic: 'containers.events', payload: { node: 'n1', events: [line(3, 'service_running'), line(3, 'scheduled', 'proid.web#0000000009')] } });
    event({ topic: 'containers.events', payload: { node: 'n2', events: [line(4, 'killed')] } });
    answers[0]!([line(1, 'scheduled'), line(2, 'configured'), line(3, 'service_running')]);
    await settle();
    expect(useContainerTrace.getState().lines.map((l) => l.type)).toEqual(['scheduled', 'configured', 'service_running']);
    expect(useContainerTrace.getState().loading).toBe(false);

    event({ topic: 'containers.events', payload: { node: 'n1', events: [line(6, 'finished'), line(5, 'service_exited')] } });
    expect(useContainerTrace.getState().lines.map((l) => l.type)).toEqual(['scheduled', 'configured', 'service_running', 'service_exited', 'finished']);

    // Another container, then another before the first answered: the late answer is dropped.
    useContainerTrace.getState().open({ node: 'n1', instance: 'lab.train#0000000003' });
    useContainerTrace.getState().open({ node: 'n2', instance: 'lab.train#0000000005' });
    answers[2]!([line(1, 'scheduled', 'lab.train#0000000005')]);
    answers[1]!([line(1, 'scheduled', 'lab.train#0000000003')]);
    await settle();
    expect(useContainerTrace.getState()).toMatchObject({ node: 'n2', instance: 'lab.train#0000000005', lines: [{ instance: 'lab.train#0000000005' }], loading: false });
    // After a resync, fetched again and merged: nothing twice.
    useContainerTrace.getState().reload();
    answers[3]!([line(1, 'scheduled', 'lab.train#0000000005'), line(2, 'configured', 'lab.train#0000000005')]);
    await settle();
    expect(useContainerTrace.getState().lines.map((l) => l.type)).toEqual(['scheduled', 'configured']);
    useContainerTrace.getState().open(null);
    expect(useContainerTrace.getState().lines).toEqual([]);
  });
});
