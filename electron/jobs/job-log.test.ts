import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../../shared/contract/index.js';
import { JobLog } from './job-log.js';

describe('JobLog', () => {
  let batches: LogLine[][];
  let log: JobLog;

  beforeEach(() => {
    vi.useFakeTimers();
    batches = [];
    log = new JobLog((lines) => batches.push(lines), 50);
  });
  afterEach(() => vi.useRealTimers());

  it('numbers lines from 0 and keeps step and stream', async () => {
    log.add(null, 'info', 'build b1: lab');
    log.add('mkfs', 'out', 'Creating filesystem with 262144 4k blocks');
    log.add('mkfs', 'err', 'mke2fs 1.47.0');
    expect(log.total).toBe(3);
    expect(await log.page(0, 10)).toEqual([
      { n: 0, step: null, stream: 'info', text: 'build b1: lab' },
      { n: 1, step: 'mkfs', stream: 'out', text: 'Creating filesystem with 262144 4k blocks' },
      { n: 2, step: 'mkfs', stream: 'err', text: 'mke2fs 1.47.0' },
    ]);
  });

  it('hands out many lines as one batch after flushMs, not one per line', () => {
    for (let i = 0; i < 1000; i++) log.add('debootstrap', 'out', `I: Retrieving package ${i}`);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(49);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((l) => l.n)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(1);
  });

  it('starts a new batch for lines added after a flush, numbering on', () => {
    log.add(null, 'info', 'a');
    vi.advanceTimersByTime(50);
    log.add(null, 'info', 'b');
    log.add(null, 'info', 'c');
    vi.advanceTimersByTime(50);
    expect(batches.map((b) => b.map((l) => `${l.n}:${l.text}`))).toEqual([['0:a'], ['1:b', '2:c']]);
    expect(log.total).toBe(3);
  });

  it('does not push the flush back when more lines come (the first line sets the deadline)', () => {
    log.add(null, 'info', 'first');
    vi.advanceTimersByTime(40);
    log.add(null, 'info', 'second');
    vi.advanceTimersByTime(10);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((l) => l.text)).toEqual(['first', 'second']);
  });

  it('flush() hands out the pending lines at once and cancels the timer; with nothing pending it does nothing', () => {
    log.flush();
    expect(batches).toHaveLength(0);
    log.add('publish', 'info', 'done');
    log.flush();
    expect(batches).toEqual([[{ n: 0, step: 'publish', stream: 'info', text: 'done' }]]);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(1);
  });

  it('pages through every line, batched or not', async () => {
    for (let i = 0; i < 10; i++) log.add(null, 'out', `line ${i}`);
    log.flush();
    expect((await log.page(0, 3)).map((l) => l.n)).toEqual([0, 1, 2]);
    expect((await log.page(8, 5)).map((l) => l.n)).toEqual([8, 9]);
    expect(await log.page(10, 5)).toEqual([]);
    expect(await log.page(3, 0)).toEqual([]);
  });

  it('without a spill, keeps every line in memory (nothing to read them back from)', () => {
    const small = new JobLog(() => undefined, 50, { lines: 10, bytes: 1 << 20 });
    for (let i = 0; i < 100; i++) small.add(null, 'out', `line ${i}`);
    small.flush();
    expect(small.inMemory).toBe(100);
  });

  it('uses 50 ms by default', () => {
    const seen: LogLine[][] = [];
    const byDefault = new JobLog((lines) => seen.push(lines));
    byDefault.add(null, 'info', 'x');
    vi.advanceTimersByTime(49);
    expect(seen).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(seen).toHaveLength(1);
  });
});
