import type { StepStatus } from '../../shared/contract/index.js';

/**
 * The one step loop of every job Slipway runs as steps (builds, deploys, and
 * the mock's scripted ones): each step goes running → done, failed or cancelled, with
 * its start and duration; after a failure or a cancel the later steps are
 * skipped and say why. What a job logs of the failure, and releases
 * afterwards, is the job's own.
 */

export interface JobStep<Id extends string = string> {
  id: Id;
  label: string;
  status: StepStatus;
  startedAt: string | null;
  durationMs: number | null;
  /** The step's latest progress line, or why it failed or was skipped. */
  message: string | null;
  /** The tool's own count of its work, where it gives one. */
  progress?: { done: number; total: number } | null;
}

/** Thrown by a step (or the call it waits on) when the operator cancelled the job. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export interface StepOutcome<Id extends string> {
  status: 'succeeded' | 'failed' | 'cancelled';
  failedStep: Id | null;
  error: string | null;
}

export interface StepLoop<S extends JobStep> {
  /** Updated in place (each entry replaced, never mutated), and reported through `onStep`. */
  steps: S[];
  /** How many steps, from the first, the loop runs; later ones (a release) are the job's. Default: all. */
  count?: number;
  /** The first step to run: the ones before it are done (a job carried on after its console restarted). Default: 0. */
  from?: number;
  /** Does the step's work; its answer is the step's message. Throws Cancelled, or an error that fails the step. */
  work(step: S, index: number): Promise<string | null | undefined>;
  cancelled(): boolean;
  onStep(step: S): void;
  now?: StepClock['now'];
  stamp?: StepClock['stamp'];
}

/** Sets a step's fields and reports it. */
export function updateStep<S extends JobStep>(loop: Pick<StepLoop<S>, 'steps' | 'onStep'>, index: number, patch: Partial<JobStep>): S {
  const step = { ...loop.steps[index]!, ...patch } as S;
  loop.steps[index] = step;
  loop.onStep(step);
  return step;
}

/** What a step's timing is read from: the wall clock, or a virtual one (the mock seeds history at once). */
export interface StepClock {
  /** Milliseconds, for durations. */
  now?: () => number;
  /** A step's start stamp; by default its start on `now`, as an ISO time. */
  stamp?: () => string;
}

/**
 * One step as every job runs it: running, then done or failed, timed. `done`
 * turns the work's value into the step's message; a step that reported
 * progress and ends without a word keeps its last progress line. The error
 * is rethrown: what it means for the job is the caller's.
 */
export async function runStep<T>(
  report: (patch: Partial<JobStep>) => void,
  work: () => Promise<T>,
  options: StepClock & { done?: (value: T) => string | null | undefined } = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const started = now();
  report({ status: 'running', startedAt: options.stamp ? options.stamp() : new Date(started).toISOString(), message: null });
  try {
    const value = await work();
    const message = options.done?.(value);
    report({ status: 'done', durationMs: now() - started, ...(message == null ? {} : { message }) });
    return value;
  } catch (error) {
    report(error instanceof Cancelled ? { status: 'cancelled', durationMs: now() - started, message: 'cancelled by the operator' } : { status: 'failed', durationMs: now() - started, message: (error as Error).message });
    throw error;
  }
}

export async function runSteps<S extends JobStep>(loop: StepLoop<S>): Promise<StepOutcome<S['id']>> {
  const count = loop.count ?? loop.steps.length;
  let outcome: StepOutcome<S['id']> = { status: 'succeeded', failedStep: null, error: null };
  // Said by the step's label: the operator never sees a step id such as extension-2.
  let failedLabel = '';
  for (let index = loop.from ?? 0; index < count; index += 1) {
    const { id, label } = loop.steps[index]!;
    if (outcome.status !== 'succeeded') {
      updateStep(loop, index, { status: 'skipped', message: outcome.status === 'cancelled' ? 'not run: cancelled' : `skipped: ${failedLabel} failed` });
      continue;
    }
    try {
      await runStep(
        (patch) => updateStep(loop, index, patch),
        () => {
          if (loop.cancelled()) throw new Cancelled();
          return loop.work(loop.steps[index]!, index);
        },
        { now: loop.now, stamp: loop.stamp, done: (message) => message },
      );
    } catch (error) {
      const cancelled = error instanceof Cancelled;
      failedLabel = label;
      outcome = { status: cancelled ? 'cancelled' : 'failed', failedStep: id, error: cancelled ? 'cancelled' : (error as Error).message };
    }
  }
  return outcome;
}
