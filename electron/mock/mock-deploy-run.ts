import type { DeployLogLine, DeployStep, DeploySummary } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import type { RunClock } from './mock-script-player.js';
import { runSteps, updateStep, type StepLoop } from '../jobs/step-loop.js';
import { releaseLines, type DeployContext, type PlannedStep } from './mock-deploy-script.js';
import { playScript } from './mock-script-player.js';
import { toLogBatch } from '../../shared/contract/log-batch.js';

/** One deploy as the mock keeps it: everything `deploy.get` and `deploy.logs` answer from. */
export interface DeployRecord {
  summary: DeploySummary;
  steps: DeployStep[];
  log: DeployLogLine[];
  /** Masked: the values of secret-looking names are never kept. */
  env: Record<string, string>;
  abort: AbortController | null;
  done: Promise<void> | null;
}

export interface DeployRunOptions {
  record: DeployRecord;
  context: DeployContext;
  plan: readonly PlannedStep[];
  clock: RunClock;
  speed: number;
  /** Null when seeding the history: nobody listens. */
  bus: EventBus | null;
  flushMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs a deploy's scripted steps through the same step loop as a real deploy
 * (electron/jobs/step-loop.ts), publishing `deploy.step`, `deploy.log` (in
 * batches) and `deploy.finished`; what the deploy acquired is released either way.
 */
export async function runDeploy(options: DeployRunOptions): Promise<void> {
  const { record, context, plan, clock, bus } = options;
  const signal = (record.abort ??= new AbortController()).signal;
  const id = record.summary.id;
  let pending: DeployLogLine[] = [];

  const flush = () => {
    if (pending.length === 0 || !bus) return;
    bus.publish('deploy.log', toLogBatch(id, pending));
    pending = [];
  };
  const timer = bus ? setInterval(flush, options.flushMs) : null;
  const push = (step: string | null, stream: DeployLogLine['stream'], text: string) => {
    const line = { n: record.log.length, step, stream, text };
    record.log.push(line);
    if (bus) pending.push(line);
  };
  const finish = (change: Partial<DeploySummary>) => {
    if (timer) clearInterval(timer);
    flush();
    const end = clock.now();
    record.summary = { ...record.summary, finishedAt: iso(end), durationMs: end - Date.parse(record.summary.startedAt), ...change };
    record.abort = null;
    bus?.publish('deploy.finished', record.summary);
  };

  const loop: StepLoop<DeployStep> = {
    steps: record.steps,
    now: clock.now,
    cancelled: () => signal.aborted,
    onStep: (step) => {
      // Lines before a step change arrive before it, so the log and the step list agree.
      flush();
      bus?.publish('deploy.step', { id, step });
    },
    work: (step, index) => playScript(plan[index]!.script(context), { signal, clock, speed: options.speed, line: (stream, text) => push(step.id, stream, text), progress: (message) => updateStep(loop, index, { message }) }),
  };
  const outcome = await runSteps(loop);
  if (outcome.status === 'succeeded') {
    for (const line of releaseLines(context, plan, plan.length - 1, true)) push(null, 'info', line);
    return finish({ status: 'succeeded', output: { location: context.location, bytes: context.bytes, sha256: context.sha256 } });
  }
  const cancelled = outcome.status === 'cancelled';
  const failed = plan.findIndex((step) => step.id === outcome.failedStep);
  const def = plan[failed]!;
  if (cancelled) push(def.id, 'info', `deploy cancelled by the operator during "${def.label}"`);
  push(null, 'info', `cleanup: releasing what the deploy acquired (${cancelled ? 'cancelled' : `${def.label} failed`})`);
  for (const line of releaseLines(context, plan, failed, false)) push(null, 'info', line);
  finish({ status: outcome.status, failedStep: def.id, error: cancelled ? 'cancelled by the operator' : outcome.error });
}
