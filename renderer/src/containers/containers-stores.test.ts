import { beforeEach, describe, expect, it } from 'vitest';
import type { ContainerEventLine, SlipwayEvent } from '../../../shared/contract/index.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { containerRow, containerScan } from '../test-support/container-fixtures.js';
import { initialTraceData, useContainerTrace } from './container-trace-store.js';
import { initialContainersData, keyOf, selectAllRows, selectScans, selectSelectedRow, selectShownRows, selectStateCounts, useContainers } from './containers-store.js';

let seq = 0;
const event = (e: Omit<SlipwayEvent, 'seq'>) => {
  const full = { ...e, seq: ++seq } as SlipwayEvent;
  if (full.topic === 'containers.events') useContainerTrace.getState().apply(full);
  else useContainers.getState().apply(full);
};
const line = (second: number, type: string, instance = 'proid.web#0000000002'): ContainerEventLine => ({ at: `2026-11-23T10:00:${String(second).padStart(2, '0')}.000Z`, instance, type, text: type, trace: type, details: null });
const later = (seconds: number) => new Date(Date.parse('2026-11-23T10:00:00.000Z') + seconds * 1000).toISOString();

describe('containers store', () => {
  beforeEach(() => useContainers.setState(initialContainersData()));

  it('loads every node’s scan; a fresh scan replaces its node’s rows, an older one is ignored', async () => {
    const n1 = containerScan('n1', [containerRow('n1', 2), containerRow('n1', 3, 'configured')]);
    const n2 = containerScan('n2', [], { error: 'connect ECONNREFUSED 10.0.3.7:22' });
    const requests = fakeBackend((command) => (command === 'containers.list' ? [n1, n2] : null));
    await useContainers.getState().load();
    expect(requests).toEqual([{ command: 'containers.list', payload: {} }]);
    expect(selectScans(useContainers.getState()).map((s) => [s.node, s.error])).toEqual([['n1', null], ['n2', 'connect ECONNREFUSED 10.0.3.7:22']]);
    expect(selectAllRows(useContainers.getState())).toHaveLength(2);
    const before = selectShownRows(useContainers.getState());
    // Selectors give the same rows while the scans are the same.
    useContainers.getState().select(keyOf(before.find((r) => r.instance === 'proid.web#0000000002')!));
    expect(selectShownRows(useContainers.getState())).toBe(before);

    event({ topic: 'containers.scan', payload: containerScan('n1', [containerRow('n1', 2, 'finished', { summary: 'return code: 0' })], { scannedAt: later(5) }) });
    expect(selectAllRows(useContainers.getState()).map((r) => [r.instance, r.state])).toEqual([['proid.web#0000000002', 'finished']]);
    expect(selectSelectedRow(useContainers.getState())).toMatchObject({ state: 'finished', summary: 'return code: 0' });
    event({ topic: 'containers.scan', payload: containerScan('n1', [], { scannedAt: later(1) }) });
    expect(selectAllRows(useContainers.getState())).toHaveLength(1);
    // A new node's scan adds it.
    event({ topic: 'containers.scan', payload: containerScan('n0', [containerRow('n0', 9, 'killed')], { scannedAt: later(5) }) });
    expect(selectScans(useContainers.getState()).map((s) => s.node)).toEqual(['n0', 'n1', 'n2']);
    // Cleaned up: the selection stays (its timeline too), the row is gone.
    event({ topic: 'containers.scan', payload: containerScan('n1', [], { scannedAt: later(10) }) });
    expect(selectSelectedRow(useContainers.getState())).toBeNull();
    expect(useContainers.getState().selected?.instance).toBe('proid.web#0000000002');

    // A list without a node drops it, and its filter.
    useContainers.getState().showNode('n0');
    fakeBackend(() => [containerScan('n1', [], { scannedAt: later(20) })]);
    await useContainers.getState().load();
    expect(selectScans(useContainers.getState()).map((s) => s.node)).toEqual(['n1']);
    expect(useContainers.getState().filter.node).toBeNull();
  });

  it('a just-configured selection is listing until a scan of its node lists it, then it is an ordinary selection', () => {
    const made = containerRow('n1', 7, 'configured');
    useContainers.getState().select({ ...keyOf(made), listing: true });
    // Another node's scan, and its own node's scan from before the configure, do not list it.
    event({ topic: 'containers.scan', payload: containerScan('n2', [containerRow('n2', 7, 'configured')], { scannedAt: later(1) }) });
    event({ topic: 'containers.scan', payload: containerScan('n1', [], { scannedAt: later(2) }) });
    expect(useContainers.getState().selected?.listing).toBe(true);
    event({ topic: 'containers.scan', payload: containerScan('n1', [made], { scannedAt: later(3) }) });
    expect(useContainers.getState().selected).toEqual(keyOf(made));
    // Removed later: gone, not listing.
    event({ topic: 'containers.scan', payload: containerScan('n1', [], { scannedAt: later(4) }) });
    expect(selectSelectedRow(useContainers.getState())).toBeNull();
    expect(useContainers.getState().selected?.listing).toBeUndefined();
  });

  it('filters and counts, sorts on a second click the other way, and says when the scan failed', async () => {
    fakeBackend(() => [containerScan('n1', [containerRow('n1', 1, 'running'), containerRow('n1', 2, 'killed'), containerRow('n1', 4, 'running')]), containerScan('n2', [containerRow('n2', 3, 'running')])]);
    await useContainers.getState().load();
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
    expect(useContainers.getState().loaded).toBe(true);
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
