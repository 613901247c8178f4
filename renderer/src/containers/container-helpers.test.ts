import { describe, expect, it } from 'vitest';
import type { ContainerEventLine, ContainerState } from '../../../shared/contract/index.js';
import { exitWords, formatAge, formatScanTime, mergeTimeline, stateTone } from './container-format.js';
import { containerRow, containerScan } from '../test-support/container-fixtures.js';
import { byInstance } from './container-row-index.js';
import { allRows, countStates, filterRows, lastResult, shownRows, sortScans } from './container-rows.js';

describe('container rows', () => {
  const scans = sortScans({
    'rack2-n10': containerScan('rack2-n10', [containerRow('rack2-n10', 5, 'killed', { summary: 'out of memory' })]),
    'rack2-n9': containerScan('rack2-n9', [containerRow('rack2-n9', 4), containerRow('rack2-n9', 1, 'finished', { summary: 'return code: 3' }), containerRow('rack2-n9', 3, 'configured')]),
  });
  // Each node's rows in instance order, as the row index keeps them.
  const rows = allRows(scans, Object.fromEntries(scans.map((s) => [s.node, [...s.rows].sort(byInstance)])));

  it('orders nodes naturally and each node’s rows by instance', () => {
    expect(scans.map((s) => s.node)).toEqual(['rack2-n9', 'rack2-n10']);
    expect(rows.map((r) => `${r.node} ${r.instance}`)).toEqual(['rack2-n9 lab.train#0000000001', 'rack2-n9 lab.train#0000000003', 'rack2-n9 proid.web#0000000004', 'rack2-n10 lab.train#0000000005']);
  });

  it('filters by node and by every word of the app filter, in the app or the instance; counts every state', () => {
    expect(filterRows(rows, null, '')).toBe(rows);
    expect(filterRows(rows, 'rack2-n10', '').map((r) => r.instance)).toEqual(['lab.train#0000000005']);
    expect(filterRows(rows, null, 'LAB.train #0000000003').map((r) => r.instance)).toEqual(['lab.train#0000000003']);
    expect(filterRows(rows, 'rack2-n9', 'web').map((r) => r.instance)).toEqual(['proid.web#0000000004']);
    expect(countStates(rows)).toEqual({ placed: 0, configured: 1, running: 1, exited: 0, finished: 1, killed: 1, aborted: 0, terminated: 0, cleanup: 0, archived: 0 });
  });

  it('keeps one state and sorts by state or age, ties in node and instance order', () => {
    const by = (sort: Parameters<typeof shownRows>[2], state: ContainerState | null = null) => shownRows(rows, state, sort).map((r) => r.instance.slice(-1));
    expect(by({ key: 'node', dir: 'asc' })).toEqual(['1', '3', '4', '5']);
    expect(by({ key: 'node', dir: 'desc' })).toEqual(['5', '4', '3', '1']);
    expect(by({ key: 'node', dir: 'asc' }, 'killed')).toEqual(['5']);
    expect(by({ key: 'state', dir: 'asc' })).toEqual(['3', '4', '1', '5']);
    // Younger first: a higher id changed longer ago here.
    expect(by({ key: 'age', dir: 'asc' })).toEqual(['1', '3', '4', '5']);
    expect(by({ key: 'age', dir: 'desc' })).toEqual(['5', '4', '3', '1']);
  });

  it('remembers the last result while its inputs are the same', () => {
    let calls = 0;
    const doubled = lastResult((list: readonly number[], factor: number) => {
      calls += 1;
      return list.map((n) => n * factor);
    });
    const list = [1, 2];
    expect(doubled(list, 2)).toBe(doubled(list, 2));
    expect(calls).toBe(1);
    expect(doubled([1, 2], 2)).toEqual([2, 4]);
    expect(calls).toBe(2);
  });
});

describe('container format', () => {
  it('words a state’s tone and its exit as Treadmill does', () => {
    expect(stateTone({ state: 'finished', summary: 'return code: 0' })).toBe('ok');
    expect(stateTone({ state: 'finished', summary: 'return code: 3' })).toBe('warn');
    expect(stateTone({ state: 'killed', summary: 'out of memory' })).toBe('bad');
    expect(stateTone({ state: 'running', summary: 'running' })).toBe('run');
    expect(exitWords({ state: 'running', summary: 'running' })).toBe('');
    expect(exitWords({ state: 'aborted', summary: 'aborted: image' })).toBe('aborted: image');
  });

  it('formats ages and scan times', () => {
    const at = Date.parse('2026-11-23T10:00:00Z');
    const ago = (seconds: number) => formatAge(new Date(at - seconds * 1000).toISOString(), at);
    expect([ago(-3), ago(8), ago(240), ago(3 * 3600), ago(2 * 3600 + 13 * 60), ago(3 * 86_400 + 4 * 3600), ago(2 * 86_400)]).toEqual(['0 s', '8 s', '4 min', '3 h', '2 h 13 min', '3 d 4 h', '2 d']);
    expect([formatScanTime(42.4), formatScanTime(1_340)]).toEqual(['42 ms', '1.3 s']);
  });

  it('merges timelines oldest first, once per line', () => {
    const line = (second: number, type: string, text = type): ContainerEventLine => ({ at: `2026-11-23T10:00:${String(second).padStart(2, '0')}.000Z`, instance: 'proid.web#0000000001', type, text, trace: text, details: null });
    const held = [line(1, 'scheduled'), line(2, 'configured')];
    const merged = mergeTimeline(held, [line(2, 'configured'), line(4, 'finished'), line(3, 'service_exited'), line(4, 'finished')]);
    expect(merged.map((l) => l.type)).toEqual(['scheduled', 'configured', 'service_exited', 'finished']);
    expect(mergeTimeline(held, [line(1, 'scheduled')])).toEqual(held);
  });
});
