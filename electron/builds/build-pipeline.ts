import { buildSteps, type Artifact, type StepId, type StepState } from '../../shared/contract/index.js';
import { callForJob, type CallHandle, type HelperClient, type HelperLog } from '../helper/helper-client.js';
import type { HelperOp, HelperResult, JobArgs } from '../helper/helper-protocol.js';
import { pipelineSteps, type BuildContext, type BuildInputs } from './pipeline-steps.js';

export interface PipelineInput extends BuildInputs {
  helper: HelperClient;
  now?: () => Date;
  /** Fault injection for tests: fail once this step has done its work (and holds what it acquired). */
  failAt?: StepId;
}

export interface PipelineHooks {
  step(state: StepState): void;
  log(step: StepId | null, stream: HelperLog['stream'], text: string): void;
}

export interface PipelineOutcome {
  status: 'succeeded' | 'failed' | 'cancelled';
  failedStep: StepId | null;
  error: string | null;
  artifacts: Artifact[];
  metadataPath: string | null;
  /** What the final release freed, and what it could not (left to journal recovery). */
  released: string[];
  unreleased: string[];
}

class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export function initialSteps(): StepState[] {
  return buildSteps.map((s) => ({ id: s.id, label: s.label, status: 'pending', startedAt: null, durationMs: null, message: null }));
}

/**
 * One build: the steps in order, each with its state, duration and log; on
 * failure or cancel the remaining steps are skipped and everything the build
 * acquired is released, newest first (the helper's `build.close`).
 */
export class BuildRun {
  private cancelled = false;
  /** Whether the helper (may) hold the build open, so build.close must run. */
  private opened = false;
  private current: CallHandle<unknown> | null = null;
  readonly steps = initialSteps();

  constructor(
    private readonly input: PipelineInput,
    private readonly hooks: PipelineHooks,
  ) {}

  cancel(): void {
    this.cancelled = true;
    this.current?.cancel();
  }

  private update(index: number, patch: Partial<StepState>): void {
    const step = { ...this.steps[index]!, ...patch };
    this.steps[index] = step;
    this.hooks.step(step);
  }

  private async call<O extends HelperOp>(stepId: StepId, op: O, args: JobArgs<O>): Promise<HelperResult<O>> {
    if (this.cancelled) throw new Cancelled();
    const handle = callForJob(this.input.helper, this.input.buildId, op, args, (line) => this.hooks.log(stepId, line.stream, line.text));
    this.current = handle as CallHandle<unknown>;
    try {
      const value = await handle.result;
      if (op === 'build.open') this.opened = true;
      return value;
    } catch (error) {
      const cancelled = (error as { cancelled?: boolean }).cancelled || this.cancelled;
      // A cancelled open may have opened all the same: close it to be sure.
      if (op === 'build.open' && cancelled) this.opened = true;
      throw cancelled ? new Cancelled() : error;
    } finally {
      this.current = null;
    }
  }

  async run(): Promise<PipelineOutcome> {
    const now = this.input.now ?? (() => new Date());
    let stepId: StepId = 'sparse-files';
    const { buildId, spec, mirror, specHash, version, owner } = this.input;
    const ctx: BuildContext = {
      buildId,
      spec,
      mirror,
      specHash,
      version,
      owner,
      now,
      dir: '',
      root: '',
      cacheDir: '',
      images: [],
      mounts: [],
      installed: [],
      artifacts: [],
      metadataPath: null,
      call: (op, args) => this.call(stepId, op, args),
      log: (text) => this.hooks.log(stepId, 'info', text),
    };
    let outcome: Omit<PipelineOutcome, 'released' | 'unreleased'> = { status: 'succeeded', failedStep: null, error: null, artifacts: [], metadataPath: null };

    for (const [index, { id }] of buildSteps.entries()) {
      if (outcome.status !== 'succeeded') {
        this.update(index, { status: 'skipped', message: outcome.status === 'cancelled' ? 'cancelled' : `skipped: ${outcome.failedStep} failed` });
        continue;
      }
      stepId = id;
      const started = Date.now();
      this.update(index, { status: 'running', startedAt: now().toISOString() });
      try {
        if (this.cancelled) throw new Cancelled();
        const message = await pipelineSteps[id](ctx);
        if (this.input.failAt === id) throw new Error(`injected fault at ${id}`);
        this.update(index, { status: 'done', durationMs: Date.now() - started, message: message ?? null });
      } catch (error) {
        const cancelled = error instanceof Cancelled;
        const message = cancelled ? 'cancelled' : (error as Error).message;
        this.hooks.log(id, 'err', cancelled ? 'cancelled by the operator' : message);
        this.update(index, { status: 'failed', durationMs: Date.now() - started, message });
        outcome = { status: cancelled ? 'cancelled' : 'failed', failedStep: id, error: message, artifacts: [], metadataPath: null };
      }
    }
    if (outcome.status === 'succeeded') outcome = { ...outcome, artifacts: ctx.artifacts, metadataPath: ctx.metadataPath };
    return { ...outcome, ...(await this.close(this.opened)) };
  }

  /** Always runs, whatever happened: the build holds nothing once it is over. */
  private async close(opened: boolean): Promise<{ released: string[]; unreleased: string[] }> {
    if (!opened) return { released: [], unreleased: [] };
    this.cancelled = false;
    try {
      const result = await this.input.helper.call('build.close', { buildId: this.input.buildId }, (line) =>
        this.hooks.log(null, line.stream, line.text),
      ).result;
      return { released: result.released, unreleased: result.failed };
    } catch (error) {
      const why = `release failed (${(error as Error).message}); journal recovery will finish it`;
      this.hooks.log(null, 'err', why);
      return { released: [], unreleased: [why] };
    }
  }
}
