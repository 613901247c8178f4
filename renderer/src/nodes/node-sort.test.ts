import { describe, expect, it } from 'vitest';
import type { NodeFacts, NodeStatus } from '../../../shared/contract/index.js';
import { ariaSort, defaultNodeSort, nextSort, sortRows, type NodeSort } from './node-sort.js';

const GiB = 1024 ** 3;
const facts = (load: number, cpus: number, memUsed: number, diskUsed: number): NodeFacts => ({
  hostname: 'h', osRelease: 'Debian 12', kernel: '6.1', cpus, uptimeSeconds: 60, load: [load, load, load],
  memTotalBytes: 10 * GiB, memAvailableBytes: (10 - memUsed) * GiB, rootDiskTotalBytes: 100 * GiB, rootDiskUsedBytes: diskUsed * GiB,
});
const node = (name: string, change: Partial<NodeStatus> = {}, host = '10.0.1.1', port = 22): NodeStatus => ({
  spec: { name, host, port, user: 'root', identity: null, jump: null, labels: [] },
  state: 'reachable', lastSeen: null, latencyMs: null, facts: null, errors: [], ...change,
});

const names = (rows: readonly NodeStatus[], sort: NodeSort) => sortRows(rows, sort).map((r) => r.spec.name);

describe('node table sort', () => {
  it('sorts names in natural order, both ways', () => {
    const rows = [node('node10'), node('node2'), node('Node1'), node('node1b')];
    expect(names(rows, defaultNodeSort)).toEqual(['Node1', 'node1b', 'node2', 'node10']);
    expect(names(rows, { key: 'name', dir: 'desc' })).toEqual(['node10', 'node2', 'node1b', 'Node1']);
  });

  it('sorts addresses by their numbers, not their characters', () => {
    const rows = [node('a', {}, '10.0.1.11'), node('b', {}, '10.0.1.9'), node('c', {}, '10.0.1.9', 2222), node('d', {}, '10.0.0.200')];
    expect(names(rows, { key: 'address', dir: 'asc' })).toEqual(['d', 'b', 'c', 'a']);
  });

  it('sorts states from healthy to needing attention; ties by name', () => {
    const rows = [node('n3', { state: 'unreachable' }), node('n10', { state: 'reachable' }), node('n2', { state: 'host-key-unknown' }), node('n1', { state: 'reachable' })];
    expect(names(rows, { key: 'state', dir: 'asc' })).toEqual(['n1', 'n10', 'n2', 'n3']);
    // Descending turns the states around, not the tie-break: equal rows stay in name order.
    expect(names(rows, { key: 'state', dir: 'desc' })).toEqual(['n3', 'n2', 'n1', 'n10']);
  });

  it('sorts load per CPU, memory and disk in use; nodes without facts go last either way', () => {
    const rows = [
      node('busy-small', { facts: facts(2, 2, 9, 10) }), // load 100 %, memory 90 %, disk 10 %
      node('none'),
      node('idle-big', { facts: facts(4, 64, 1, 95) }), // load ~6 %, memory 10 %, disk 95 %
      node('half', { facts: facts(2, 4, 5, 50) }),
    ];
    expect(names(rows, { key: 'load', dir: 'asc' })).toEqual(['idle-big', 'half', 'busy-small', 'none']);
    expect(names(rows, { key: 'load', dir: 'desc' })).toEqual(['busy-small', 'half', 'idle-big', 'none']);
    expect(names(rows, { key: 'memory', dir: 'desc' })).toEqual(['busy-small', 'half', 'idle-big', 'none']);
    expect(names(rows, { key: 'disk', dir: 'desc' })).toEqual(['idle-big', 'half', 'busy-small', 'none']);
  });

  it('sorts by when a node last answered; never-seen nodes last', () => {
    const rows = [node('never'), node('old', { lastSeen: '2025-01-14T08:00:00.000Z' }), node('new', { lastSeen: '2025-01-14T09:00:00.000Z' })];
    expect(names(rows, { key: 'lastSeen', dir: 'asc' })).toEqual(['old', 'new', 'never']);
    expect(names(rows, { key: 'lastSeen', dir: 'desc' })).toEqual(['new', 'old', 'never']);
  });

  it('leaves its input alone and keeps up with a large inventory', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => node(`rack${i % 40}-n${i}`, { facts: facts(i % 7, 4, i % 10, i % 100) }));
    const before = rows.map((r) => r.spec.name);
    const sorted = sortRows(rows, { key: 'load', dir: 'desc' });
    expect(rows.map((r) => r.spec.name)).toEqual(before);
    expect(sorted).toHaveLength(20_000);
    expect(sorted.every((r, i) => i === 0 || sorted[i - 1]!.facts!.load[0] >= r.facts!.load[0])).toBe(true);
  });

  it('a header click sorts by its column, a second one turns the order around', () => {
    const byLoad = nextSort(defaultNodeSort, 'load');
    expect(byLoad).toEqual({ key: 'load', dir: 'asc' });
    expect(nextSort(byLoad, 'load')).toEqual({ key: 'load', dir: 'desc' });
    expect(nextSort(nextSort(byLoad, 'load'), 'name')).toEqual({ key: 'name', dir: 'asc' });
    expect(ariaSort(byLoad, 'load')).toBe('ascending');
    expect(ariaSort({ key: 'load', dir: 'desc' }, 'load')).toBe('descending');
    expect(ariaSort(byLoad, 'name')).toBe('none');
  });
});
