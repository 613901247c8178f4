import { basename, dirname, join } from 'node:path';
import { maskedEnvironment, type DeployRequest, type DeployStep, type DeploySummary, type DeployTarget } from '../../shared/contract/index.js';
import type { HelperClient, HelperLog } from '../helper/helper-client.js';
import { HelperSession, type Released } from '../jobs/helper-session.js';
import { runSteps, updateStep } from '../jobs/step-loop.js';
import type { HelperOp, HelperResult, JobArgs } from '../helper/helper-protocol.js';
import type { ProcessIdentity } from '../process/process-identity.js';
import { deploymentMeta, type ResolvedImage } from './deployment-meta.js';
import { mountStagedReadOnly, stageImage, type JobCall } from '../helper/image-mount.js';

/** Sends the packed tree to a node (ssh-rsync); given by the service, which owns the node pool. */
export type RemoteSync = (tarball: string, target: Extract<DeployTarget, { kind: 'ssh-rsync' }>, log: (stream: HelperLog['stream'], text: string) => void) => Promise<{ bytes: number }>;

export interface DeployInput {
  id: string;
  request: DeployRequest;
  image: ResolvedImage;
  helper: HelperClient;
  owner: ProcessIdentity;
  /** Where the helper may write next to the target: the target's directory, or the images directory. */
  outputDir: string;
  version: string;
  remoteSync: RemoteSync;
  /** Where each of the request's extensions is run from, when not where it is named (a build host's copy of it). */
  executables?: readonly string[];
  extensionTimeoutMs?: number;
  now?: () => Date;
}

export interface DeployHooks {
  step(state: DeployStep): void;
  log(step: string | null, stream: HelperLog['stream'], text: string): void;
}

export type DeployOutcome = Pick<DeploySummary, 'status' | 'failedStep' | 'error' | 'output'> & { released: string[]; unreleased: string[] };

export function deploySteps(extensions: readonly string[], target: DeployTarget): DeployStep[] {
  const targetLabel = { tar: 'Write the tarball', rawdisk: 'Write a new disk image', 'ssh-rsync': `Sync to ${target.kind === 'ssh-rsync' ? target.node : ''}` }[target.kind];
  return [
    { id: 'open-image', label: 'Stage the image (read-only)' },
    { id: 'mount-lower', label: 'Mount the image read-only (lower layer)' },
    { id: 'mount-overlay', label: 'Mount overlayfs (upper and work dirs)' },
    ...extensions.map((path, index) => ({ id: `extension-${index + 1}`, label: `Extension ${basename(path)}` })),
    { id: 'metadata', label: 'Write slipway/deployment.meta' },
    { id: 'target', label: targetLabel },
    { id: 'release', label: 'Unmount and remove the working tree' },
  ].map((step) => ({ ...step, status: 'pending', startedAt: null, durationMs: null, message: null }));
}

/**
 * One overlay deploy (Baserock's `morph deploy`): the image stays untouched
 * under a read-only loop device and mount; extensions change only the
 * overlay's upper dir; whatever happens, the helper's `build.close` releases
 * every mount, loop device and file the deploy made, newest first.
 */
export class DeployRun {
  private readonly session: HelperSession;
  private output: DeployOutcome['output'] = null;
  readonly steps: DeployStep[];

  constructor(
    private readonly input: DeployInput,
    private readonly hooks: DeployHooks,
  ) {
    this.steps = deploySteps(input.request.extensions, input.request.target);
    this.session = new HelperSession(input.helper, input.id, hooks.log);
  }

  cancel(): void {
    this.session.cancel();
  }

  private call<O extends HelperOp>(step: string | null, op: O, args: JobArgs<O>): Promise<HelperResult<O>> {
    return this.session.call(step, op, args);
  }

  private bound(step: string): JobCall {
    return (op, args) => this.call(step, op, args);
  }

  /** The work of each step but the last; `release` always runs. */
  private work(dir: string): Record<string, (step: string) => Promise<string | void>> {
    const { request, image } = this.input;
    const lower = join(dir, 'lower');
    const merged = join(dir, 'merged');
    const staged = join(dir, 'image.raw');
    const startedAt = (this.input.now ?? (() => new Date()))().toISOString();
    const work: Record<string, (step: string) => Promise<string | void>> = {
      'open-image': async (step) => {
        const staging = await stageImage(this.bound(step), dir, image.path);
        return `${image.ref}: ${Math.round(staging.bytes / (1 << 20))} MiB ${staging.container === 'gzip' ? 'unpacked' : 'linked read-only'}`;
      },
      'mount-lower': async (step) => `${(await mountStagedReadOnly(this.bound(step), dir, staged)).device} mounted read-only`,
      'mount-overlay': async (step) => {
        await this.call(step, 'overlay.mount', { lower, upper: join(dir, 'overlay', 'upper'), work: join(dir, 'overlay', 'work'), target: merged });
        return 'merged tree ready';
      },
      metadata: async (step) => {
        await this.call(step, 'dir.make', { path: join(merged, 'slipway') });
        const meta = deploymentMeta({ id: this.input.id, request, image, version: this.input.version, startedAt });
        await this.call(step, 'file.write', { path: join(merged, 'slipway', 'deployment.meta'), content: `${JSON.stringify(meta, null, 2)}\n`, mode: 0o644 });
        return 'slipway/deployment.meta';
      },
      target: async (step) => {
        const { target } = request;
        if (target.kind === 'ssh-rsync') {
          const packed = await this.call(step, 'tree.pack', { root: merged, dest: join(dir, 'tree.tar'), format: 'tar' });
          const sent = await this.input.remoteSync(packed.path, target, (stream, text) => this.hooks.log(step, stream, text));
          this.output = { location: `${target.node}:${target.path}`, bytes: sent.bytes, sha256: null };
          return `synced to ${target.node}:${target.path}`;
        }
        const packed = await this.call(step, 'tree.pack', { root: merged, dest: target.path, format: target.kind });
        await this.call(step, 'artifact.place', { dest: target.path });
        this.output = { location: target.path, bytes: packed.bytes, sha256: packed.sha256 };
        return `${target.path} (${(packed.bytes / (1 << 20)).toFixed(1)} MiB)`;
      },
    };
    request.extensions.forEach((named, index) => {
      const executable = this.input.executables?.[index] ?? named;
      work[`extension-${index + 1}`] = async (step) => {
        const env = { ...request.env, SLIPWAY_DEPLOY_ID: this.input.id, SLIPWAY_IMAGE: image.ref };
        this.hooks.log(step, 'info', `${executable === named ? named : `${named} (its copy ${executable})`} ${merged} (environment: ${Object.entries(maskedEnvironment(request.env, request.secrets)).map(([k, v]) => `${k}=${v}`).join(' ') || 'none given'})`);
        await this.call(step, 'extension.run', { executable, root: merged, env, timeoutMs: this.input.extensionTimeoutMs ?? 30 * 60 * 1000 });
      };
    });
    return work;
  }

  async run(): Promise<DeployOutcome> {
    let work: ReturnType<DeployRun['work']> | null = null;
    const releaseIndex = this.steps.length - 1;
    const outcome = await runSteps({
      steps: this.steps,
      count: releaseIndex,
      cancelled: () => this.session.isCancelled,
      onStep: (step) => this.hooks.step(step),
      work: async (step) => {
        if (!work) {
          const { dir } = await this.call(step.id, 'build.open', { outputDir: this.input.outputDir, owner: this.input.owner });
          work = this.work(dir);
        }
        return (await work[step.id]!(step.id)) ?? null;
      },
    });
    if (outcome.failedStep) this.hooks.log(outcome.failedStep, 'err', outcome.status === 'cancelled' ? 'cancelled by the operator' : outcome.error!);
    return { ...outcome, output: outcome.status === 'succeeded' ? this.output : null, ...(await this.release(releaseIndex)) };
  }

  /** The last step, whatever happened: every mount, loop device and file the deploy made is released. */
  private async release(index: number): Promise<Released> {
    const started = Date.now();
    const update = (patch: Partial<DeployStep>) => updateStep({ steps: this.steps, onStep: (step) => this.hooks.step(step) }, index, patch);
    update({ status: 'running', startedAt: new Date().toISOString() });
    if (!this.session.isOpen) {
      update({ status: 'done', durationMs: 0, message: 'nothing was acquired' });
      return { released: [], unreleased: [] };
    }
    const result = await this.session.close('release');
    const ok = result.unreleased.length === 0;
    update({ status: ok ? 'done' : 'failed', durationMs: Date.now() - started, message: ok ? `released ${result.released.length} resources` : `not released: ${result.unreleased.join('; ')}` });
    return result;
  }
}

/** Where the helper may write: beside the target file, or (for ssh-rsync) the images directory. */
export function deployOutputDir(target: DeployTarget, imagesDir: string): string {
  return target.kind === 'ssh-rsync' ? imagesDir : dirname(target.path);
}
