import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../shared/contract/index.js';
import { LogBuffer } from './log-buffer.js';
import { createLogFill } from './log-fill.js';

const line = (n: number): LogLine => ({ n, step: null, stream: 'out', text: `line ${n}` });
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => line(from + i));

/** A job whose backend holds `total` lines, served in pages of `size`; the selection is whatever `selected` says. */
function job(total: number, size = 3, cap?: number) {
  const state = { selected: 'j1' as string | null, log: new LogBuffer(cap), loading: [] as boolean[], asked: [] as number[], errors: [] as string[] };
  const fill = createLogFill<LogLine>({
    buffer: (id) => (state.selected === id ? state.log : null),
    page: async (_id, from) => {
      state.asked.push(from);
      return { lines: lines(from, Math.min(total, from + size)), total };
    },
    appended: () => undefined,
    loading: (on) => state.loading.push(on),
    failed: (error) => state.errors.push(String(error)),
  });
  return { state, fill };
}

describe('the paged log fill (builds and deploys)', () => {
  it('pages from the end of what it holds to the backend’s total', async () => {
    const { state, fill } = job(8);
    await fill('j1');
    expect(state.log.length).toBe(8);
    expect(state.asked).toEqual([0, 3, 6]);
    expect(state.loading).toEqual([true, false]);
  });

  it('fetches the lines missing before a gap, then releases the lines held past it', async () => {
    const { state, fill } = job(8);
    state.log.append(lines(0, 2));
    // Lines 5-7 arrived as an event after a resync dropped 2-4: held until the gap is filled.
    state.log.append(lines(5, 8));
    expect(state.log.waiting).toBe(true);
    await fill('j1');
    expect(state.log.waiting).toBe(false);
    expect(state.log.length).toBe(8);
    expect(state.asked[0]).toBe(2);
  });

  it('one fill per job at a time: a fill asked for meanwhile goes round once more on the same promise', async () => {
    const { state, fill } = job(4);
    const first = fill('j1');
    const second = fill('j1');
    expect(second).toBe(first);
    await first;
    expect(state.log.length).toBe(4);
  });

  it('stops when another job is selected, and leaves that job’s loading state alone', async () => {
    const { state, fill } = job(100, 10);
    const running = fill('j1');
    state.selected = 'j2';
    await running;
    expect(state.asked).toEqual([0]);
    expect(state.log.length).toBe(0);
    expect(state.loading).toEqual([true]);
  });

  it('fetches only the tail a buffer keeps of a long log, and counts every line', async () => {
    const { state, fill } = job(100, 5, 10);
    await fill('j1');
    expect(state.asked).toEqual([0, 90, 95]);
    expect(state.log.length).toBe(100);
    expect(state.log.first).toBe(90);
    expect(state.log.all.map((l) => l.n)).toEqual(lines(90, 100).map((l) => l.n));
  });
});
