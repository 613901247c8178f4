import { describe, expect, it } from 'vitest';
import { Cancelled, runSteps, updateStep, type JobStep, type StepLoop } from './step-loop.js';

const ids = ['open', 'work', 'pack', 'place'] as const;
const fresh = (): JobStep[] => ids.map((id) => ({ id, label: `Step ${id}`, status: 'pending', startedAt: null, durationMs: null, message: null }));

function loopWith(work: StepLoop<JobStep>['work'], options: Partial<StepLoop<JobStep>> = {}) {
  let t = 1_000;
  const reported: JobStep[] = [];
  const loop: StepLoop<JobStep> = {
    steps: fresh(),
    now: () => (t += 5),
    cancelled: () => false,
    onStep: (step) => reported.push(step),
    work,
    ...options,
  };
  return { loop, reported };
}

describe('the step loop (every job: builds, deploys, the mock)', () => {
  it('runs every step in order, timed on its clock, each with its message', async () => {
    const { loop, reported } = loopWith(async (step) => (step.id === 'pack' ? 'packed 3 MiB' : undefined));
    expect(await runSteps(loop)).toEqual({ status: 'succeeded', failedStep: null, error: null });
    expect(loop.steps.map((s) => [s.id, s.status, s.durationMs, s.message])).toEqual([
      ['open', 'done', 5, null],
      ['work', 'done', 5, null],
      ['pack', 'done', 5, 'packed 3 MiB'],
      ['place', 'done', 5, null],
    ]);
    expect(loop.steps[0]!.startedAt).toBe(new Date(1_005).toISOString());
    expect(reported.map((s) => `${s.id}:${s.status}`)).toEqual(ids.flatMap((id) => [`${id}:running`, `${id}:done`]));
  });

  it.each(ids.map((id, index) => [id, index] as const))('a failure at %s fails it, skips the rest and says why', async (failing, index) => {
    const ran: string[] = [];
    const { loop } = loopWith(async (step) => {
      ran.push(step.id);
      if (step.id === failing) throw new Error(`${step.id} broke`);
      return null;
    });
    expect(await runSteps(loop)).toEqual({ status: 'failed', failedStep: failing, error: `${failing} broke` });
    expect(ran).toEqual(ids.slice(0, index + 1));
    expect(loop.steps.map((s) => s.status)).toEqual(ids.map((_, i) => (i < index ? 'done' : i === index ? 'failed' : 'skipped')));
    expect(loop.steps[index]!.message).toBe(`${failing} broke`);
    // Said by the failed step's label, never its id.
    for (const step of loop.steps.slice(index + 1)) expect(step.message).toBe(`skipped: Step ${failing} failed`);
  });

  it.each(ids.map((id, index) => [id, index] as const))('a cancel during %s ends it as cancelled and runs nothing after', async (during, index) => {
    let cancelled = false;
    const ran: string[] = [];
    const { loop } = loopWith(
      async (step) => {
        ran.push(step.id);
        if (step.id === during) {
          cancelled = true;
          throw new Cancelled();
        }
        return null;
      },
      { cancelled: () => cancelled },
    );
    expect(await runSteps(loop)).toEqual({ status: 'cancelled', failedStep: during, error: 'cancelled' });
    expect(ran).toEqual(ids.slice(0, index + 1));
    // The running step is cancelled, not failed (no red cross); the rest were not run.
    expect(loop.steps.map((s) => s.status)).toEqual(ids.map((_, i) => (i < index ? 'done' : i === index ? 'cancelled' : 'skipped')));
    expect(loop.steps.map((s) => s.message)).toEqual(ids.map((_, i) => (i < index ? null : i === index ? 'cancelled by the operator' : 'not run: cancelled')));
  });

  it('a cancel between steps stops before the next one does any work', async () => {
    let cancelled = false;
    const ran: string[] = [];
    const { loop } = loopWith(
      async (step) => {
        ran.push(step.id);
        if (step.id === 'work') cancelled = true;
        return null;
      },
      { cancelled: () => cancelled },
    );
    expect(await runSteps(loop)).toMatchObject({ status: 'cancelled', failedStep: 'pack' });
    expect(ran).toEqual(['open', 'work']);
    expect(loop.steps.map((s) => s.status)).toEqual(['done', 'done', 'cancelled', 'skipped']);
  });

  it('runs only the first `count` steps (the job runs its own release), and keeps a progress line as the message', async () => {
    const { loop } = loopWith(async (step, index) => {
      if (step.id === 'work') updateStep(loop, index, { message: 'unpacked 80%' });
      return null;
    }, { count: 3 });
    expect(await runSteps(loop)).toMatchObject({ status: 'succeeded' });
    expect(loop.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'pending']);
    expect(loop.steps[1]!.message).toBe('unpacked 80%');
  });
});
