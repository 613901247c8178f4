import type { StepStatus } from '../../shared/contract/index.js';

/**
 * The one step loop of every job Slipway runs as steps (builds, deploys, and
 * the mock's scripted ones): each step goes running → done or failed, with
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
  /** Does the step's work; its answer is the step's message. Throws Cancelled, or an error that fails the step. */
  work(step: S, index: number): Promise<string | null | undefined>;
  cancelled(): boolean;
  onStep(step: S): void;
  /** Milliseconds, for durations: the wall clock, or a virtual one (the mock seeds history at once). */
  now?: () => number;
  /** A step's start stamp; by default its start on `now`, as an ISO time. */
  stamp?: () => string;
}

/** Sets a step's fields and reports it. */
export function updateStep<S extends JobStep>(loop: Pick<StepLoop<S>, 'steps' | 'onStep'>, index: number, patch: Partial<JobStep>): S {
  const step = { ...loop.steps[index]!, ...patch } as S;
  loop.steps[index] = step;
  loop.onStep(step);
  return step;
}

export async function runSteps<S extends JobStep>(loop: StepLoop<S>): Promise<StepOutcome<S['id']>> {
  const now = loop.now ?? Date.now;
  const count = loop.count ?? loop.steps.length;
  let outcome: StepOutcome<S['id']> = { status: 'succeeded', failedStep: null, error: null };
  for (let index = 0; index < count; index += 1) {
    const { id } = loop.steps[index]!;
    if (outcome.status !== 'succeeded') {
      updateStep(loop, index, { status: 'skipped', message: outcome.status === 'cancelled' ? 'cancelled' : `skipped: ${outcome.failedStep} failed` });
      continue;
    }
    const started = now();
    updateStep(loop, index, { status: 'running', startedAt: loop.stamp ? loop.stamp() : new Date(started).toISOString(), message: null });
    try {
      if (loop.cancelled()) throw new Cancelled();
      const message = await loop.work(loop.steps[index]!, index);
      // A step that reported progress and ends without a word keeps its last progress line.
      updateStep(loop, index, { status: 'done', durationMs: now() - started, message: message ?? loop.steps[index]!.message });
    } catch (error) {
      const cancelled = error instanceof Cancelled;
      const message = cancelled ? 'cancelled' : (error as Error).message;
      updateStep(loop, index, { status: 'failed', durationMs: now() - started, message });
      outcome = { status: cancelled ? 'cancelled' : 'failed', failedStep: id, error: message };
    }
  }
  return outcome;
}
