import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import {
  DeployDetail,
  DeployLogLine,
  deployTargetText,
  maskedEnvironment,
  SlipwayError,
  type BuildSummary,
  type DeployableImage,
  type DeployRequest,
  type DeploySummary,
} from '../../shared/contract/index.js';
import { JobLog } from '../jobs/job-log.js';
import { JobRegistry, type LiveJob } from '../jobs/job-registry.js';
import { JobClaims } from '../jobs/job-claims.js';
import { JobHistory } from '../jobs/job-history.js';
import type { HelperSource, HelperSupervisor } from '../helper/helper-supervisor.js';
import type { HelperClient } from '../helper/helper-client.js';
import { isUnder } from '../helper/system/mountinfo.js';
import type { EventBus } from '../backend/event-bus.js';
import type { ProcessIdentity } from '../process/process-identity.js';
import { DeployRun, deployOutputDir, deploySteps } from './deploy-run.js';
import type { ResolvedImage } from './deployment-meta.js';
import { listExtensions } from './extension-catalog.js';
import { pathExistsScript, remoteSync, type NodeAccess } from './remote-sync.js';
import { toLogBatch } from '../../shared/contract/log-batch.js';

export interface DeployServiceDeps {
  bus: EventBus;
  helpers: HelperSupervisor;
  stateDir: string;
  imagesDir: string;
  outputRoots: readonly string[];
  extensionDirs: readonly string[];
  version: string;
  owner: ProcessIdentity;
  /** Finished builds, newest first: their images are what deploys start from. */
  builds: () => BuildSummary[];
  /** A node of the inventory (throws for an unknown name). */
  node: (name: string) => NodeAccess;
  /** Journal recovery, for a deploy whose helper died under it. */
  recover: () => Promise<string[]>;
  /** The lab's build hosts: an image built on one is deployed there, by its helper, its target written there. */
  buildHosts?: {
    helperOf(name: string): HelperSource;
    /** A local executable placed on the host (content-hashed, checked): its path there. */
    placeExecutable(name: string, local: string): Promise<string>;
  };
  extensionTimeoutMs?: number;
}

interface Live extends LiveJob<DeployDetail, string> {
  run: DeployRun;
  /** Frees the target for the next deploy to it. */
  release: () => void;
  /** Journal recovery where it ran, for what its release could not free. */
  recover: () => Promise<string[]>;
}

/** Where a deploy runs: this machine's helper, or a build host's (with its copies of the extensions). */
interface Place {
  helper: HelperClient;
  executables?: string[];
  recover: (id: string) => Promise<string[]>;
}

const history = (stateDir: string) =>
  new JobHistory<DeployDetail, DeployLogLine>(stateDir, {
    kind: 'deploys',
    id: (detail) => detail.summary.id,
    startedAt: (detail) => detail.summary.startedAt,
    parseDetail: (raw) => DeployDetail.parse(raw),
    parseLine: (raw) => DeployLogLine.parse(raw),
  });

/** Images of successful builds, as a deploy names them: the build id for its first image, `id:image` for the others. */
export function deployableImages(builds: readonly BuildSummary[]): DeployableImage[] {
  return builds
    .filter((build) => build.status === 'succeeded')
    .flatMap((build) =>
      build.artifacts.map((artifact, index) => ({
        ref: index === 0 ? build.id : `${build.id}:${artifact.image}`,
        buildId: build.id,
        name: `${build.name} / ${artifact.image}${build.host === undefined ? '' : ` (on ${build.host})`}`,
        path: artifact.path,
        specHash: build.specHash,
        builtAt: build.finishedAt ?? build.startedAt,
        ...(build.host === undefined ? {} : { host: build.host }),
      })),
    )
    // A build host's files are not seen from here: its helper finds out when the deploy stages the image.
    .filter((image) => image.host !== undefined || existsSync(image.path));
}

export function createDeployService(deps: DeployServiceDeps) {
  const jobs = new JobRegistry<DeployDetail, string, Live>(history(deps.stateDir), 'deploy');
  const claims = new JobClaims(join(deps.stateDir, 'claims'), deps.owner);

  function resolveImage(ref: string): ResolvedImage {
    if (ref.startsWith('/')) {
      if (!existsSync(ref) || !statSync(ref).isFile()) throw new SlipwayError('bad_request', `no image file at ${ref}`, 'image');
      const known = deployableImages(deps.builds()).find((image) => image.path === ref);
      return { ref, path: ref, buildId: known?.buildId ?? null, specHash: known?.specHash ?? null };
    }
    const [buildId, imageName] = ref.split(':');
    const build = deps.builds().find((b) => b.id === buildId && b.status === 'succeeded');
    if (!build) throw new SlipwayError('bad_request', `"${ref}" is neither a successful build nor the path of an image file`, 'image');
    const artifact = imageName ? build.artifacts.find((a) => a.image === imageName) : build.artifacts[0];
    if (!artifact) throw new SlipwayError('bad_request', `build ${build.id} has no image ${imageName ?? ''}`, 'image');
    if (build.host !== undefined) return { ref, path: artifact.path, buildId: build.id, specHash: build.specHash, host: build.host };
    if (!existsSync(artifact.path)) throw new SlipwayError('bad_request', `build ${build.id}'s image ${artifact.path} is gone`, 'image');
    return { ref, path: artifact.path, buildId: build.id, specHash: build.specHash };
  }

  function checkExtensions(extensions: readonly string[]): void {
    extensions.forEach((path, index) => {
      let ok = false;
      try {
        const stat = statSync(path);
        ok = stat.isFile() && (stat.mode & 0o111) !== 0;
      } catch {
        ok = false;
      }
      if (!ok) throw new SlipwayError('bad_request', `${path} is not an executable file`, `extensions.${index}`);
    });
  }

  /** A target on this machine, or (`host`) on the build host the image is on, checked before anything is mounted. */
  async function checkTarget(request: DeployRequest, host: string | undefined): Promise<void> {
    const { target } = request;
    if (host !== undefined && target.kind === 'ssh-rsync') {
      throw new SlipwayError('bad_request', `${request.image} is on build host ${host}: a deploy there writes a tarball or a disk image on it; to sync a node, fetch the artifacts here first (slipway build fetch)`, 'target');
    }
    if (target.kind === 'ssh-rsync') {
      let access: NodeAccess;
      try {
        access = deps.node(target.node);
      } catch (error) {
        throw new SlipwayError('bad_request', (error as Error).message, 'target.node');
      }
      if (request.overwrite) return;
      const probe = await access.exec(pathExistsScript(target.path), { timeoutMs: 15_000, onData: () => undefined }).catch((error: Error) => {
        throw new SlipwayError('failed', `cannot reach ${target.node}: ${error.message}`, 'target.node');
      });
      if (probe.code === 0) throw new SlipwayError('bad_request', `${target.node}:${target.path} exists: its content will be replaced by the deployed tree`, 'overwrite');
      return;
    }
    // Normalised first: /tmp/../etc/x is /etc/x, whatever its text starts with.
    if (target.path !== normalize(target.path) || !deps.outputRoots.some((root) => isUnder(dirname(normalize(target.path)), root))) {
      throw new SlipwayError('bad_request', `${target.path} is not under an output root (${deps.outputRoots.join(', ')}; set SLIPWAY_OUTPUT_ROOTS to add one)`, 'target.path');
    }
    if (request.overwrite) return;
    const exists = host === undefined ? existsSync(target.path) : await existsOn(host, target.path);
    if (exists) throw new SlipwayError('bad_request', `${host === undefined ? '' : `${host}:`}${target.path} exists: it will be replaced`, 'overwrite');
  }

  async function existsOn(host: string, path: string): Promise<boolean> {
    const probe = await deps.node(host).exec(pathExistsScript(path), { timeoutMs: 15_000, onData: () => undefined }).catch((error: Error) => {
      throw new SlipwayError('failed', `cannot reach build host ${host}: ${error.message}`, 'image');
    });
    return probe.code === 0;
  }

  /** The helper a deploy runs with: this machine's, or the build host's the image is on (the extensions copied there first). */
  async function placeOf(image: ResolvedImage, extensions: readonly string[]): Promise<Place> {
    if (image.host === undefined) return { helper: await deps.helpers.get(), recover: () => deps.recover() };
    const hosts = deps.buildHosts;
    if (!hosts) throw new SlipwayError('bad_request', `${image.ref} was built on ${image.host}: deploying it needs the node inventory (the console)`, 'image');
    const helper = await hosts.helperOf(image.host).get();
    const executables = await Promise.all(extensions.map((path) => hosts.placeExecutable(image.host!, path)));
    return {
      helper,
      executables,
      recover: async (id) => {
        const result = await helper.call('recover', { buildIds: [id] }).result;
        return [...result.cleaned, ...result.failed.map((f) => `NOT cleaned: ${f}`)];
      },
    };
  }

  async function execute(entry: Live): Promise<DeploySummary> {
    try {
      return await finishRun(entry);
    } finally {
      entry.release();
    }
  }

  async function finishRun(entry: Live): Promise<DeploySummary> {
    const outcome = await entry.run.run();
    entry.log.flush();
    const summary: DeploySummary = {
      ...entry.detail.summary,
      status: outcome.status,
      failedStep: outcome.failedStep,
      error: outcome.error,
      output: outcome.output,
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - Date.parse(entry.detail.summary.startedAt),
    };
    await jobs.recoverLeftovers(entry, 'release', outcome.unreleased, entry.recover);
    jobs.complete(entry, summary);
    deps.bus.publish('deploy.finished', summary);
    return summary;
  }

  return {
    catalog() {
      return { extensionDirs: [...deps.extensionDirs], extensions: listExtensions(deps.extensionDirs), images: deployableImages(deps.builds()) };
    },

    list: (): DeploySummary[] => jobs.summaries(),
    get: (id: string) => jobs.find(id).detail,
    logs: (id: string, from: number, count: number) => jobs.logs(id, from, count),

    /** Checks everything it can before anything is mounted, then runs in the background; `done` resolves at the end. */
    async start(request: DeployRequest): Promise<{ id: string; done: Promise<DeploySummary> }> {
      const image = resolveImage(request.image);
      checkExtensions(request.extensions);
      await checkTarget(request, image.host);
      const place = await placeOf(image, request.extensions);
      const id = `dep-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
      const summary: DeploySummary = {
        id,
        image: image.ref,
        imagePath: image.path,
        specHash: image.specHash,
        extensions: request.extensions,
        target: deployTargetText(request.target),
        status: 'running',
        startedAt: new Date().toISOString(),
        finishedAt: null,
        durationMs: null,
        failedStep: null,
        error: null,
        output: null,
        ...(image.host === undefined ? {} : { host: image.host }),
      };
      // Two deploys writing one target would interleave their trees: the second is refused, naming the first.
      const release = claims.claim([`deploy-target:${image.host === undefined ? '' : `${image.host}:`}${summary.target}`], `deploy ${id}`, (holder) => `a deploy to ${summary.target} is already running (${holder}): wait for it, or cancel it first`);
      try {
        return launch(request, image, place, summary, release);
      } catch (error) {
        release();
        throw error;
      }
    },

    cancel(id: string): boolean {
      const entry = jobs.running(id);
      if (!entry) return false;
      entry.log.add(null, 'info', 'cancel requested');
      entry.run.cancel();
      return true;
    },

    liveIds: () => jobs.liveIds(),
  };

  function launch(request: DeployRequest, image: ResolvedImage, { helper, executables, recover }: Place, summary: DeploySummary, release: () => void): { id: string; done: Promise<DeploySummary> } {
    const { id } = summary;
    const log = new JobLog<string>((lines) => deps.bus.publish('deploy.log', toLogBatch(id, lines)));
    const run = new DeployRun(
      {
        id,
        request,
        image,
        helper,
        owner: deps.owner,
        outputDir: deployOutputDir(request.target, deps.imagesDir),
        version: deps.version,
        remoteSync: remoteSync(id, deps.node),
        ...(executables ? { executables } : {}),
        ...(deps.extensionTimeoutMs ? { extensionTimeoutMs: deps.extensionTimeoutMs } : {}),
      },
      {
        // The step's own lines go out before the step's new state, so every client reads them in order.
        step: (step) => {
          log.flush();
          deps.bus.publish('deploy.step', { id, step });
          jobs.stepped(entry);
        },
        log: (step, stream, text) => log.add(step, stream, text),
      },
    );
    // Declared after the run's hooks that name it: they run only once the run starts, after this.
    const expected = jobs.expectedSteps((done) => done.summary.extensions.join('\0') === request.extensions.join('\0') && done.summary.target.split(':')[0] === summary.target.split(':')[0]);
    const entry: Live = { detail: { summary, steps: deploySteps(request.extensions, request.target), logTotal: 0, env: maskedEnvironment(request.env, request.secrets), expectedStepMs: expected }, log, run, release, recover: () => recover(id) };
    jobs.add(entry);
    deps.bus.publish('deploy.started', entry.detail);
    log.add(null, 'info', `deploy ${id}: ${image.ref} (${image.path}) → ${summary.target}${image.host === undefined ? '' : `, on build host ${image.host}`}`);
    return { id, done: execute(entry) };
  }
}

export type DeployService = ReturnType<typeof createDeployService>;
