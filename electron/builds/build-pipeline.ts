import { buildSteps, type Artifact, type StepId, type StepState } from '../../shared/contract/index.js';
import type { HelperClient, HelperLog } from '../helper/helper-client.js';
import type { InstalledPackage } from './dpkg-status.js';
import { HelperSession } from '../jobs/helper-session.js';
import { runSteps } from '../jobs/step-loop.js';
import { StepPackageProgress } from './step-package-progress.js';
import { pipelineSteps } from './pipeline-steps.js';
import type { BuildContext, BuildInputs, ImageWork } from './build-context.js';
import type { BuildCheckpoint, CheckpointContext } from './build-checkpoint.js';

/** What a build notes before each helper call (build-checkpoint.ts); the service adds who and where. */
export type RunCheckpoint = Pick<BuildCheckpoint, 'step' | 'seq' | 'calls' | 'opened' | 'ctx' | 'steps'>;

export interface PipelineInput extends BuildInputs {
  helper: HelperClient;
  now?: () => Date;
  /** Fault injection for tests: fail once this step has done its work (and holds what it acquired). */
  failAt?: StepId;
  /** Called before each helper call goes out (a build host's builds: a console that restarts carries them on). */
  checkpoint?: (state: RunCheckpoint) => void;
  /** Carried on from a checkpoint an earlier console wrote; its log holds the helper's lines up to `loggedSeq`. */
  resume?: { from: RunCheckpoint; loggedSeq: number };
}

export interface PipelineHooks {
  step(state: StepState): void;
  /** `seq`: the helper's number for a line it said (kept with the line: a console that restarts goes on after it). */
  log(step: StepId | null, stream: HelperLog['stream'], text: string, seq?: number): void;
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
  readonly steps: StepState[];
  private readonly session: HelperSession;
  /** debootstrap's and apt's package counts, as the running step's progress. */
  private readonly packages: StepPackageProgress;

  constructor(
    private readonly input: PipelineInput,
    private readonly hooks: PipelineHooks,
  ) {
    this.steps = input.resume ? input.resume.from.steps.map((step) => ({ ...step })) : initialSteps();
    this.packages = new StepPackageProgress(this.steps, (step) => this.hooks.step(step));
    const loggedSeq = input.resume?.loggedSeq ?? 0;
    this.session = new HelperSession(
      input.helper,
      input.buildId,
      (step, stream, text, seq) => {
        // Replayed to a console that restarted: what its log already holds is not said twice.
        if (seq !== undefined && seq <= loggedSeq) return;
        hooks.log(step as StepId | null, stream, text, seq);
        this.packages.line(step as StepId | null, text);
      },
      { opened: input.resume?.from.opened ?? false },
    );
  }

  cancel(): void {
    this.session.cancel();
  }

  async run(): Promise<PipelineOutcome> {
    const now = this.input.now ?? (() => new Date());
    const { buildId, spec, mirror, specHash, version, owner, helper, resume } = this.input;
    const from = resume?.from;
    let stepId: StepId = buildSteps[from?.step ?? 0]!.id;
    let stepIndex = from?.step ?? 0;
    // The step under way when the console before this one ended runs again from its start, making its calls again
    // with the ids it used: each is answered from what the helper did, nothing is done twice.
    const replay = [...(from?.calls ?? [])];
    let calls = [...replay];
    let seq = from?.seq ?? 0;
    // What the steps before left, as the step under way found it: it runs again on this, not on what it changed since.
    let stepStart = from?.ctx ?? null;
    const ctx: BuildContext = {
      buildId,
      spec,
      mirror,
      specHash,
      version,
      owner,
      now,
      ...(from ? restoredContext(spec, from.ctx) : { dir: '', root: '', cacheDir: '', images: [], baseReused: false, mounts: [], installed: [], artifacts: [], metadataPath: null }),
      steps: this.steps,
      call: (op, args) => {
        const replayed = replay.shift();
        const id = replayed ?? helper.reserveId();
        if (replayed === undefined) calls.push(id);
        this.input.checkpoint?.({ step: stepIndex, seq, calls: [...calls], opened: this.session.isOpen, ctx: stepStart ?? contextOf(ctx), steps: this.steps });
        return this.session.call(stepId, op, args, id);
      },
      // What the replayed part says of itself was said before.
      log: (text) => void (replay.length === 0 && this.hooks.log(stepId, 'info', text)),
    };
    const outcome = await runSteps({
      steps: this.steps,
      ...(from ? { from: from.step } : {}),
      stamp: () => now().toISOString(),
      cancelled: () => this.session.isCancelled,
      onStep: (step) => this.hooks.step(step),
      work: async (step, index) => {
        stepId = step.id;
        if (index !== stepIndex || !from) {
          stepIndex = index;
          calls = [];
          seq = helper.lastSeq();
          stepStart = contextOf(ctx);
        }
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

/** What the steps so far left for the rest, as a checkpoint keeps it. */
function contextOf(ctx: BuildContext): CheckpointContext {
  const { dir, root, cacheDir, baseReused, mounts, installed, artifacts, metadataPath } = ctx;
  const images = ctx.images.map(({ fs, file, target, device, dest, sums }) => ({ name: fs.name, file, target, device, dest, sums }));
  return { dir, root, cacheDir, images, baseReused, mounts: [...mounts], installed, artifacts: [...artifacts], metadataPath };
}

/** A checkpoint's context made live again: each image's file system is the spec's of that name. */
function restoredContext(spec: BuildInputs['spec'], saved: CheckpointContext): Omit<CheckpointContext, 'images'> & { images: ImageWork[] } {
  const images = saved.images.map(({ name, ...rest }) => {
    const fs = spec.images.find((image) => image.name === name);
    if (!fs) throw new Error(`the checkpoint names a file system ${name} the spec does not have`);
    return { fs, ...rest };
  });
  return { ...saved, images, mounts: [...saved.mounts], artifacts: [...saved.artifacts] };
}
