import { z } from 'zod';

/** Milliseconds each step took in earlier jobs like this one (median): what the time left is estimated from. */
export const ExpectedStepMs = z.record(z.string(), z.number().nonnegative());
export type ExpectedStepMs = z.infer<typeof ExpectedStepMs>;

/** What an estimate reads of a step: every kind's steps (builds, deploys, boots) have these. */
export interface TimedStep {
  id: string;
  status: string;
  startedAt: string | null;
  durationMs: number | null;
  progress?: { done: number; total: number } | null;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * The median duration of each step over earlier jobs (newest first; the last
 * `limit` that ran the step to its end). Null when none of them ran a step:
 * no history, no estimate, rather than a guess.
 */
export function expectedStepMs(earlier: readonly { steps: readonly TimedStep[] }[], limit = 5): ExpectedStepMs | null {
  const samples = new Map<string, number[]>();
  for (const job of earlier) {
    for (const step of job.steps) {
      if (step.status !== 'done' || step.durationMs === null) continue;
      const list = samples.get(step.id) ?? [];
      if (list.length < limit) samples.set(step.id, [...list, step.durationMs]);
    }
  }
  if (samples.size === 0) return null;
  return Object.fromEntries([...samples].map(([id, values]) => [id, Math.round(median(values))]));
}

/**
 * Durations for a new job: each step's median over the earlier jobs like it
 * (the same spec, the same extensions), and from all earlier jobs for the
 * steps those never finished. A step's duration counts whatever the job's
 * end: a build that failed late still timed its debootstrap.
 */
export function expectedLike<J extends { steps: readonly TimedStep[] }>(earlier: readonly J[], like: (job: J) => boolean): ExpectedStepMs | null {
  const own = expectedStepMs(earlier.filter(like));
  const all = expectedStepMs(earlier);
  return own || all ? { ...all, ...own } : null;
}

export interface JobEstimate {
  elapsedMs: number;
  /** 0…1: how much of the job's expected work is done. */
  fraction: number;
  /** Null when earlier jobs do not say how long a step still to run takes. */
  leftMs: number | null;
}

const ended = (step: TimedStep) => step.status === 'done' || step.status === 'failed' || step.status === 'cancelled';

/** A running step's share done: the tool's own count where it gives one, else the time spent against the time expected. */
function runningShare(step: TimedStep, expected: number | undefined, now: number): number {
  if (step.progress && step.progress.total > 0) return Math.min(1, step.progress.done / step.progress.total);
  if (expected === undefined || expected === 0 || step.startedAt === null) return 0;
  return Math.min(0.99, Math.max(0, now - Date.parse(step.startedAt)) / expected);
}

/** Where a running job is and how long it has left, from its steps and the durations of the same steps before. */
export function estimateJob(steps: readonly TimedStep[], startedAt: string, now: number, expected: ExpectedStepMs | null | undefined): JobEstimate {
  const elapsedMs = Math.max(0, now - Date.parse(startedAt));
  const counted = steps.filter((step) => step.status !== 'skipped');
  const known = expected ? counted.every((step) => expected[step.id] !== undefined) : false;
  if (!expected || !known) {
    // Without durations every step weighs the same; the time left is not known.
    const done = counted.reduce((sum, step) => sum + (ended(step) ? 1 : step.status === 'running' ? runningShare(step, undefined, now) : 0), 0);
    return { elapsedMs, fraction: counted.length === 0 ? 1 : done / counted.length, leftMs: null };
  }
  let total = 0;
  let done = 0;
  for (const step of counted) {
    const weight = expected[step.id]!;
    total += weight;
    if (ended(step)) done += weight;
    else if (step.status === 'running') done += weight * runningShare(step, weight, now);
  }
  if (total === 0) return { elapsedMs, fraction: 1, leftMs: 0 };
  return { elapsedMs, fraction: done / total, leftMs: Math.max(0, Math.round(total - done)) };
}
