import type { DeployLogLine, DeployStep, DeploySummary } from '../../shared/contract/index.js';
import type { EventBus } from '../host/event-bus.js';
import type { RunClock } from './mock-build-run.js';
import { releaseLines, type DeployContext, type PlannedStep } from './mock-deploy-script.js';

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

class StepFailure extends Error {}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs a deploy's steps in order, publishing `deploy.step`, `deploy.log` (in
 * batches) and `deploy.finished`. A failing or cancelled step fails, the
 * later ones are skipped, and what the deploy acquired is released either way.
 */
export async function runDeploy(options: DeployRunOptions): Promise<void> {
  const { record, context, plan, clock, bus } = options;
  const signal = (record.abort ??= new AbortController()).signal;
  const id = record.summary.id;
  let pending: DeployLogLine[] = [];

  const flush = () => {
    if (pending.length === 0 || !bus) return;
    bus.publish('deploy.log', { id, lines: pending });
    pending = [];
  };
  const timer = bus ? setInterval(flush, options.flushMs) : null;
  const push = (step: string | null, stream: DeployLogLine['stream'], text: string) => {
    const line = { n: record.log.length, step, stream, text };
    record.log.push(line);
    if (bus) pending.push(line);
  };
  const setStep = (index: number, change: Partial<DeployStep>) => {
    const step = { ...record.steps[index]!, ...change };
    record.steps[index] = step;
    // Lines before a step change arrive before it, so the log and the step list agree.
    flush();
    bus?.publish('deploy.step', { id, step });
  };
  const finish = (change: Partial<DeploySummary>) => {
    if (timer) clearInterval(timer);
    flush();
    const end = clock.now();
    record.summary = { ...record.summary, finishedAt: iso(end), durationMs: end - Date.parse(record.summary.startedAt), ...change };
    record.abort = null;
    bus?.publish('deploy.finished', record.summary);
  };

  let current = 0;
  let stepStart = clock.now();
  try {
    for (const [index, def] of plan.entries()) {
      current = index;
      stepStart = clock.now();
      setStep(index, { status: 'running', startedAt: iso(stepStart), message: null });
      for (const action of def.script(context)) {
        signal.throwIfAborted();
        if (action.kind === 'line') push(def.id, action.stream, action.text);
        else if (action.kind === 'pause') await clock.pause(action.ms * options.speed, signal);
        else if (action.kind === 'progress') setStep(index, { message: action.message });
        else throw new StepFailure(action.message);
      }
      setStep(index, { status: 'done', durationMs: clock.now() - stepStart, message: null });
    }
    for (const line of releaseLines(context, plan, current, true)) push(null, 'info', line);
    finish({ status: 'succeeded', output: { location: context.location, bytes: context.bytes, sha256: context.sha256 } });
  } catch (error) {
    const cancelled = signal.aborted;
    if (!cancelled && !(error instanceof StepFailure)) throw error;
    const def = plan[current]!;
    const why = cancelled ? 'cancelled' : (error as Error).message;
    if (cancelled) push(def.id, 'info', `deploy cancelled by the operator during "${def.label}"`);
    setStep(current, { status: 'failed', durationMs: clock.now() - stepStart, message: why });
    for (let later = current + 1; later < plan.length; later += 1) {
      setStep(later, { status: 'skipped', message: cancelled ? 'not run: deploy cancelled' : `not run: ${def.id} failed` });
    }
    push(null, 'info', `cleanup: releasing what the deploy acquired (${cancelled ? 'cancelled' : `${def.id} failed`})`);
    for (const line of releaseLines(context, plan, current, false)) push(null, 'info', line);
    finish({ status: cancelled ? 'cancelled' : 'failed', failedStep: def.id, error: cancelled ? `cancelled during ${def.id}` : `${def.id} (${def.label}): ${why}` });
  }
}
