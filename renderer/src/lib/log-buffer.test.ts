import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../shared/contract/index.js';
import { toLogBatch } from '../../../shared/contract/log-batch.js';
import { LogBuffer } from './log-buffer.js';

const lines = (from: number, count: number, step: LogLine['step'] = 'debootstrap'): LogLine[] =>
  Array.from({ length: count }, (_, i) => ({ n: from + i, step, stream: 'out', text: `line ${from + i}` }));

describe('LogBuffer', () => {
  it('appends batches in order and skips lines it already holds', () => {
    const log = new LogBuffer();
    expect(log.append(lines(0, 3))).toBe(3);
    expect(log.append(lines(1, 4))).toBe(2);
    expect(log.all.map((l) => l.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('holds a batch past a gap until the missing lines arrive', () => {
    const log = new LogBuffer();
    log.append(lines(0, 2));
    expect(log.append(lines(5, 2))).toBe(0);
    expect(log.waiting).toBe(true);
    expect(log.length).toBe(2);
    expect(log.append(lines(2, 3))).toBe(5);
    expect(log.waiting).toBe(false);
    expect(log.all.map((l) => l.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('gives the last lines of one step, oldest first', () => {
    const log = new LogBuffer();
    log.append([...lines(0, 30, 'install-packages'), ...lines(30, 3, null)]);
    expect(log.tail(20, (l) => l.step === 'install-packages').map((l) => l.n)).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
  });

  it('takes batches as columns, and gives each line back with its step and stream', () => {
    const log = new LogBuffer();
    const batch = [...lines(0, 2, 'mkfs'), { n: 2, step: null, stream: 'err' as const, text: 'oops' }];
    expect(log.appendBatch(toLogBatch('b1', batch))).toBe(3);
    expect(log.appendBatch(toLogBatch('b1', lines(1, 4)))).toBe(2);
    expect(log.all).toEqual([...batch, ...lines(3, 2)]);
    expect(log.textAt(2)).toBe('oops');
  });

  it('keeps a tail of at most its cap, still counts every line, and holds the pages recalled for scroll-back', () => {
    const log = new LogBuffer(10_000);
    for (let from = 0; from < 50_000; from += 2_000) log.appendBatch(toLogBatch('b1', lines(from, 2_000)));
    expect(log.length).toBe(50_000);
    expect(log.length - log.first).toBeLessThanOrEqual(10_000 + 4_096);
    expect(log.length - log.first).toBeGreaterThanOrEqual(10_000);
    expect(log.at(49_999)?.text).toBe('line 49999');
    expect(log.at(100)).toBeUndefined();
    expect(log.missing(90, 120)).toBe(90);
    log.recall(lines(0, 5_000));
    expect(log.at(100)).toEqual(lines(100, 1)[0]);
    expect(log.missing(90, 120)).toBeNull();
    expect(log.missing(4_990, 5_010)).toBe(5_000);
  });

  it('starts its tail further on for a long log, and takes what continues it', () => {
    const log = new LogBuffer(100);
    log.skipTo(900);
    expect(log.length).toBe(900);
    expect(log.append(lines(900, 5))).toBe(5);
    expect(log.all.map((l) => l.n)).toEqual([900, 901, 902, 903, 904]);
  });
});
