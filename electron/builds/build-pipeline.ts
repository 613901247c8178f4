import { buildSteps, type Artifact, type StepId, type StepState } from '../../shared/contract/index.js';
import type { HelperClient, HelperLog } from '../helper/helper-client.js';
import type { InstalledPackage } from './dpkg-status.js';
import { HelperSession } from '../jobs/helper-session.js';
import { runSteps } from '../jobs/step-loop.js';
import { StepPackageProgress } from './step-package-progress.js';
import { pipelineSteps } from './pipeline-steps.js';
import type { BuildContext, BuildInputs } from './build-context.js';

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
  /** The image's packages as dpkg recorded them (empty if the build did not get that far). */
  installed: InstalledPackage[];
  /** What the final release freed, and what it could not (left to journal recovery). */
  released: string[];
  unreleased: string[];
}

export function initialSteps(): StepState[] {
  return buildSteps.map((s) => ({ id: s.id, label: s.label, status: 'pending', startedAt: null, durationMs: null, message: null }));
}

/**
 * One build: the steps in order (the one step loop, electron/jobs/), each with
 * its state, duration and log; on failure or cancel the remaining steps are
 * skipped and everything the build acquired is released, newest first (the
 * helper's `build.close`).
 */
export class BuildRun {
  readonly steps = initialSteps();
  private readonly session: HelperSession;
  /** debootstrap's and apt's package counts, as the running step's progress. */
  private readonly packages = new StepPackageProgress(this.steps, (step) => this.hooks.step(step));

  constructor(
    private readonly input: PipelineInput,
    private readonly hooks: PipelineHooks,
  ) {
    this.session = new HelperSession(input.helper, input.buildId, (step, stream, text) => {
      hooks.log(step as StepId | null, stream, text);
      this.packages.line(step as StepId | null, text);
    });
  }

  cancel(): void {
    this.session.cancel();
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
      baseReused: false,
      mounts: [],
      installed: [],
      artifacts: [],
      metadataPath: null,
      steps: this.steps,
      call: (op, args) => this.session.call(stepId, op, args),
      log: (text) => this.hooks.log(stepId, 'info', text),
    };
    const outcome = await runSteps({
      steps: this.steps,
      stamp: () => now().toISOString(),
      cancelled: () => this.session.isCancelled,
      onStep: (step) => this.hooks.step(step),
      work: async (step) => {
        stepId = step.id;
        const message = await pipelineSteps[step.id](ctx);
        if (this.input.failAt === step.id) throw new Error(`injected fault at ${step.id}`);
        return message;
      },
    });
    if (outcome.failedStep) this.hooks.log(outcome.failedStep, 'err', outcome.status === 'cancelled' ? 'cancelled by the operator' : outcome.error!);
    const succeeded = outcome.status === 'succeeded';
    // Always, whatever happened: the build holds nothing once it is over.
    const released = await this.session.close(null);
    return { ...outcome, artifacts: succeeded ? ctx.artifacts : [], metadataPath: succeeded ? ctx.metadataPath : null, installed: ctx.installed, ...released };
  }
}
