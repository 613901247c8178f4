import { buildSteps, type BuildStatus, type BuildSummary, type LogLine, type StepId, type StepState } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import type { ExpectedStepMs } from '../../shared/jobs/step-estimate.js';
import type { ScriptContext } from './mock-build-context.js';
import { runSteps, updateStep, type StepLoop } from '../jobs/step-loop.js';
import { StepPackageProgress } from '../builds/step-package-progress.js';
import { stepScripts } from './mock-build-script.js';
import { playScript, type RunClock } from './mock-script-player.js';
import { toLogBatch } from '../../shared/contract/log-batch.js';
import type { MockLog } from './mock-log.js';

/** One build as the mock keeps it: everything `builds.get` and `builds.logs` answer from. */
export interface BuildRecord {
  summary: BuildSummary;
  steps: StepState[];
  /** Bounded in memory as a real build's log is. */
  log: MockLog;
  specText: string;
  /** What earlier builds say each step takes (the time-left estimate). */
  expectedStepMs: ExpectedStepMs | null;
  abort: AbortController | null;
  done: Promise<void> | null;
}

export interface RunOptions {
  record: BuildRecord;
  context: Omit<ScriptContext, 'failing'>;
  failAt: StepId | null;
  clock: RunClock;
  /** Multiplies every scripted pause. */
  speed: number;
  /** Null when seeding: nobody is listening, and nothing should look live. */
  bus: EventBus | null;
  flushMs: number;
}

/** Lines go into the record at once and out to clients in batches, never one event a line. */
class LogSink {
  private pending: LogLine[] = [];
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly record: BuildRecord,
    private readonly bus: EventBus | null,
    flushMs: number,
  ) {
    this.timer = bus ? setInterval(() => this.flush(), flushMs) : null;
  }

  push(step: StepId | null, stream: LogLine['stream'], text: string): void {
    const line = this.record.log.add(step, stream, text);
    if (this.bus) this.pending.push(line);
  }

  flush(): void {
    if (this.pending.length === 0 || !this.bus) return;
    const lines = this.pending;
    this.pending = [];
    this.bus.publish('builds.log', toLogBatch(this.record.summary.id, lines));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** What a failed or cancelled build releases, in the order a real build unwinds. */
function cleanupLines(context: RunOptions['context'], reached: number): string[] {
  const lines: string[] = [];
  const index = (id: StepId) => buildSteps.findIndex((s) => s.id === id);
  if (reached >= index('mount') && reached <= index('unmount')) lines.push(`+ umount -R --lazy ${context.chroot}`);
  if (reached >= index('loop-devices') && reached <= index('detach')) {
    for (const loop of context.loops.values()) lines.push(`+ losetup -d ${loop}`);
  }
  lines.push(`+ rm -rf ${context.workspace}`);
  return lines;
}

/**
 * Runs a build's scripted steps through the same step loop as a real build
 * (electron/jobs/step-loop.ts), keeping the record current and publishing
 * `builds.step`, `builds.log` and `builds.finished` as a real build does.
 */
export async function runBuild(options: RunOptions): Promise<void> {
  const { record, context, clock, bus } = options;
  const signal = (record.abort ??= new AbortController()).signal;
  const sink = new LogSink(record, bus, options.flushMs);
  const id = record.summary.id;
  const started = Date.parse(record.summary.startedAt);

  const finish = (status: BuildStatus, failedStep: StepId | null, error: string | null) => {
    sink.close();
    const end = clock.now();
    const success = status === 'succeeded';
    record.summary = {
      ...record.summary,
      status,
      finishedAt: iso(end),
      durationMs: end - started,
      failedStep,
      error,
      artifacts: success ? context.artifacts : [],
      metadataPath: success ? context.metadataPath : null,
    };
    record.abort = null;
    bus?.publish('builds.finished', record.summary);
  };

  const packages = new StepPackageProgress(record.steps, (step) => loop.onStep(step), false);
  const loop: StepLoop<StepState> = {
    steps: record.steps,
    now: clock.now,
    cancelled: () => signal.aborted,
    onStep: (step) => {
      // Lines before a step change arrive before it, so the log and the step list agree.
      sink.flush();
      bus?.publish('builds.step', { id, step });
    },
    work: (step, index) => playScript(stepScripts[step.id]({ ...context, failing: options.failAt === step.id }), { signal, clock, speed: options.speed, line: (stream, text) => {
      sink.push(step.id, stream, text);
      packages.line(step.id, text);
    }, progress: (message) => updateStep(loop, index, { message }) }),
  };
  const outcome = await runSteps(loop);
  if (outcome.status === 'succeeded') return finish('succeeded', null, null);
  const cancelled = outcome.status === 'cancelled';
  const failed = outcome.failedStep!;
  if (cancelled) sink.push(failed, 'info', `build cancelled by the operator during "${buildSteps.find((s) => s.id === failed)!.label}"`);
  sink.push(null, 'info', `cleanup: releasing what the build acquired (${cancelled ? 'cancelled' : `${failed} failed`})`);
  for (const line of cleanupLines(context, buildSteps.findIndex((s) => s.id === failed))) sink.push(null, 'info', line);
  finish(outcome.status, failed, cancelled ? 'cancelled by the operator' : outcome.error);
}
