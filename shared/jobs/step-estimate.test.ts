import { describe, expect, it } from 'vitest';
import { estimateJob, expectedStepMs, type TimedStep } from './step-estimate.js';

const step = (id: string, status: string, durationMs: number | null = null, startedAt: string | null = null, progress: TimedStep['progress'] = null): TimedStep => ({ id, status, startedAt, durationMs, progress });
const t0 = Date.parse('2026-12-02T10:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1_000).toISOString();

describe('step estimates', () => {
  it('takes each step’s median over the last jobs that ran it to the end, and nothing from none', () => {
    const earlier = [
      { steps: [step('a', 'done', 10_000), step('b', 'done', 30_000)] },
      { steps: [step('a', 'done', 12_000), step('b', 'failed', 1_000)] },
      { steps: [step('a', 'done', 50_000), step('b', 'skipped')] },
      { steps: [step('a', 'done', 11_000), step('b', 'done', 40_000)] },
    ];
    expect(expectedStepMs(earlier)).toEqual({ a: 11_500, b: 35_000 });
    expect(expectedStepMs(earlier, 3)).toEqual({ a: 12_000, b: 35_000 });
    expect(expectedStepMs([{ steps: [step('a', 'skipped')] }])).toBeNull();
  });

  it('estimates the time left from what is done, the running step’s time, or its own package count', () => {
    const expected = { a: 10_000, b: 30_000, c: 20_000 };
    const running = [step('a', 'done', 9_000, at(0)), step('b', 'running', null, at(9)), step('c', 'pending')];
    // 6 s into b (expected 30 s): a and a fifth of b are done of 60 s.
    expect(estimateJob(running, at(0), t0 + 15_000, expected)).toEqual({ elapsedMs: 15_000, fraction: 16_000 / 60_000, leftMs: 44_000 });
    // b's tool says it is three quarters through: that wins over the clock.
    const counted = [running[0]!, step('b', 'running', null, at(9), { done: 3, total: 4 }), running[2]!];
    expect(estimateJob(counted, at(0), t0 + 15_000, expected).leftMs).toBe(27_500);
    // A step slower than ever before leaves at least the steps after it.
    expect(estimateJob(running, at(0), t0 + 200_000, expected).leftMs).toBe(20_300);
  });

  it('without earlier durations for a step still to run: a fraction by steps, no time left', () => {
    const steps = [step('a', 'done', 1_000, at(0)), step('b', 'running', null, at(1), { done: 1, total: 2 }), step('c', 'skipped'), step('d', 'pending')];
    expect(estimateJob(steps, at(0), t0 + 5_000, { a: 1_000 })).toEqual({ elapsedMs: 5_000, fraction: 1.5 / 3, leftMs: null });
    expect(estimateJob(steps, at(0), t0 + 5_000, null).leftMs).toBeNull();
  });
});
