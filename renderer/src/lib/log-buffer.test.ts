import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../shared/contract/index.js';
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
});
