import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { buildSteps, SlipwayError, type ManifestDiff, type BuildDefaults, type BuildDetail, type BuildSummary, type ImageSpec, type StepId } from '../../shared/contract/index.js';
import { parseSpecText } from '../../shared/builds/spec-text.js';
import { buildOutputBusy } from '../../shared/builds/build-output-claim.js';
import type { EventBus } from '../backend/event-bus.js';
import type { ProcessIdentity } from '../process/process-identity.js';
import { BuildHistory } from './build-history.js';
import { JobLog } from '../jobs/job-log.js';
import { JobRegistry, type LiveJob } from '../jobs/job-registry.js';
import { JobClaims } from '../jobs/job-claims.js';
import { BuildRun, initialSteps, type PipelineInput, type RunCheckpoint } from './build-pipeline.js';
import { cachedArtifacts } from './build-cache.js';
import { orphanedBuilds, type HelperSource } from '../helper/helper-supervisor.js';
import { specHash } from './spec-hash.js';
import { createHostPlacement } from './host-placement.js';
import type { BuildHostPool } from './build-host-pool.js';
import { outputRootProblem } from './output-root-check.js';
import { toLogBatch } from '../../shared/contract/log-batch.js';
import { linkLine } from './host-link-line.js';
import { checkpointDir, removeCheckpoint, writeCheckpoint, type BuildCheckpoint } from './build-checkpoint.js';
import { resumeHostBuilds } from './host-build-resume.js';
import { buildManifests } from './build-manifests.js';

/** What a build left running on its host waits on here: the process is closing. */
const stillRunning = new Promise<never>(() => undefined);


export interface BuildServiceDeps {
  bus: EventBus;
  helpers: HelperSource;
  /** The lab's build hosts (builds with `host`); absent: builds run here only. */
  buildHosts?: BuildHostPool;
  workspace: string;
  stateDir: string;
  imagesDir: string;
  /** Where the helper lets a build write (it refuses any other output folder). */
  outputRoots: readonly string[];
  hostMirror: string | null;
  hostArch: string;
  /** SOURCE_DATE_EPOCH of the process, as given: the default for specs without sourceDateEpoch (checked with the spec). */
  sourceDateEpoch?: string;
  version: string;
  owner: ProcessIdentity;
  /** Fault injection for tests (SLIPWAY_FAULT_STEP): fail once this step has done its work. */
  failAt?: StepId;
  /** Other jobs (deploys) running in the same helper workspace: never orphans. */
  otherLive?: () => Iterable<string>;
}

interface Live extends LiveJob<BuildDetail, StepId> {
  run: BuildRun | null;
  /** A cancel that came before the run existed (while the helper was starting). */
  cancelled: boolean;
  done: Promise<BuildSummary>;
  /** Frees the build's output for the next build of it. */
  release: () => void;
  /** A build host's build this console let go of as it closed: it runs on there, and nothing more of it is recorded here. */
  left: boolean;
}

function exampleSpec(imagesDir: string, arch: string): string {
  return stringify({
    name: 'lab-node',
    suite: 'bookworm',
    variant: 'minbase',
    arch,
    packages: ['openssh-server'],
    images: [{ name: 'root', size: '2G', fsType: 'ext4', label: 'root', mountPoint: '/' }],
    postInstall: { hostname: 'lab-node' },
    output: { dir: imagesDir, container: 'gzip' },
  });
}

export function createBuildService(deps: BuildServiceDeps) {
  const history = new BuildHistory(deps.stateDir);
  // A build host's build whose console ended is carried on by the next console start (host-build-resume.ts), not ended
  // here: a process that carries none on (`slipway build`) leaves it as it is for the console.
  const checkpoints = checkpointDir(deps.stateDir);
  const jobs = new JobRegistry<BuildDetail, StepId, Live>(history, 'build', {
    owner: deps.owner,
    carriesOn: (id) => existsSync(join(checkpoints, `${id}.json`)),
  });
  const claims = new JobClaims(join(deps.stateDir, 'claims'), deps.owner);
  const manifests = buildManifests(history, (id) => jobs.find(id).detail.summary, () => jobs.summaries());

  // A malformed SOURCE_DATE_EPOCH stays a string, so the spec's check names the problem instead of it being ignored.
  const epoch = deps.sourceDateEpoch === undefined || deps.sourceDateEpoch === '' ? {} : { sourceDateEpoch: /^\d{1,12}$/.test(deps.sourceDateEpoch) ? Number(deps.sourceDateEpoch) : deps.sourceDateEpoch };
  const fill = (raw: Record<string, unknown>) => ({ mirror: deps.hostMirror ?? undefined, arch: deps.hostArch, ...epoch, ...raw });

  function parse(specText: string): ImageSpec {
    const result = parseSpecText(specText, fill);
    if (!result.ok) {
      const first = result.problems[0]!;
      throw new SlipwayError('bad_request', `${first.field}: ${first.message}`, first.field);
    }
    if (!result.spec.mirror) throw new SlipwayError('bad_request', 'mirror: this host has no Debian mirror in its apt sources; name one in the spec', 'mirror');
    const outside = outputRootProblem(result.spec.output.dir, deps.outputRoots);
    if (outside) throw new SlipwayError('bad_request', `${outside.field}: ${result.spec.output.dir} is ${outside.message}`, outside.field);
    return result.spec;
  }

  function finish(entry: Live, patch: Partial<BuildSummary>): BuildSummary {
    const started = Date.parse(entry.detail.summary.startedAt);
    const summary: BuildSummary = { ...entry.detail.summary, finishedAt: new Date().toISOString(), durationMs: Date.now() - started, ...patch };
    jobs.complete(entry, summary);
    entry.release();
    deps.bus.publish('builds.finished', summary);
    return summary;
  }

  /** Two builds of one name into one folder would write the same files: the second is refused, naming the first. */
  function claimOutput(spec: ImageSpec, host: string | undefined, id: string): () => void {
    const output = resolve(spec.output.dir);
    // A host's folders are its own: the same path on two machines is two outputs.
    return claims.claim([`build-output:${host === undefined ? '' : `${host}:`}${join(output, spec.name)}`], `build ${id}`, (holder) => buildOutputBusy(spec.name, output, holder));
  }

  function liveEntry(detail: BuildDetail, release: () => void): Live {
    const { id } = detail.summary;
    return { detail, log: new JobLog((lines) => deps.bus.publish('builds.log', toLogBatch(id, lines))), run: null, cancelled: false, done: Promise.resolve(detail.summary), release, left: false };
  }

  function begin(spec: ImageSpec, specText: string, hash: string, cacheHit: boolean, host: string | undefined): Live {
    const id = `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
    const release = claimOutput(spec, host, id);
    const summary: BuildSummary = {
      id, name: spec.name, specHash: hash, status: 'running', cacheHit, startedAt: new Date().toISOString(),
      finishedAt: null, durationMs: null, failedStep: null, error: null, artifacts: [], metadataPath: null, ...(host === undefined ? {} : { host }),
    };
    const entry = liveEntry({ summary, steps: initialSteps(), logTotal: 0, specText, expectedStepMs: jobs.expectedSteps((done) => done.summary.specHash === hash) }, release);
    try {
      jobs.add(entry);
    } catch (error) {
      release();
      throw error;
    }
    deps.bus.publish('builds.started', entry.detail);
    return entry;
  }

  async function runBuild(entry: Live, spec: ImageSpec, source: HelperSource, resume?: PipelineInput['resume']): Promise<BuildSummary> {
    const { id, host } = entry.detail.summary;
    let unlink: (() => void) | null = null;
    let noteFailed = false;
    try {
      const helper = await source.get();
      const note = source.takeNote?.();
      if (note) entry.log.add(null, 'info', note);
      // A build host's connection may drop and come back: the log says when, and what follows is replayed from there.
      unlink = helper.onLink?.((link) => entry.left || entry.log.add(null, 'info', linkLine(link))) ?? null;
      const where = host === undefined ? 'helper' : `on build host ${host}, helper`;
      if (!resume) entry.log.add(null, 'info', `build ${id}: ${spec.name} (spec ${entry.detail.summary.specHash.slice(0, 12)}), ${where} ${helper.namespaced ? 'in private mount and pid namespaces' : 'without namespaces'}`);
      const { session } = helper;
      // Before each call goes out on a build host, where the build stands: a console that restarts carries it on from there.
      const checkpoint = (state: RunCheckpoint) => {
        if (host === undefined || session === undefined) return;
        try {
          writeCheckpoint(checkpoints, { buildId: id, host, session, console: deps.owner, specHash: entry.detail.summary.specHash, ...state });
        } catch (error) {
          if (!noteFailed) entry.log.add(null, 'err', `where the build stands could not be noted (${(error as Error).message}): a console that restarts cannot carry it on`);
          noteFailed = true;
        }
      };
      const run = new BuildRun(
        {
          buildId: id, spec, mirror: spec.mirror!, specHash: entry.detail.summary.specHash, version: deps.version, owner: deps.owner, helper,
          checkpoint, ...(resume ? { resume } : {}), ...(deps.failAt ? { failAt: deps.failAt } : {}),
        },
        {
          // Once left, what the closing connection does to the run (a failed call, skipped steps) is not the build's story.
          step: (step) => {
            if (entry.left) return;
            deps.bus.publish('builds.step', { id, step });
            jobs.stepped(entry);
          },
          log: (step, stream, text, seq) => entry.left || entry.log.add(step, stream, text, seq),
        },
      );
      entry.run = run;
      if (entry.cancelled) run.cancel();
      const outcome = await run.run();
      if (entry.left) return await stillRunning;
      // Kept with the build, not only in the metadata file the next build of the name overwrites: what `diff` compares.
      if (outcome.installed.length > 0) {
        const unsaved = manifests.save(id, outcome.installed);
        if (unsaved) entry.log.add(null, 'err', unsaved);
      }
      // The helper died under the build: a fresh one releases what the journal names, now (on the host, this build's).
      await jobs.recoverLeftovers(entry, null, outcome.unreleased, () => (host === undefined ? service.recover() : recoverOn(source, id)));
      return finish(entry, { status: outcome.status, failedStep: outcome.failedStep, error: outcome.error, artifacts: outcome.artifacts, metadataPath: outcome.metadataPath });
    } catch (error) {
      if (entry.left) return await stillRunning;
      entry.log.add(null, 'err', (error as Error).message);
      return finish(entry, { status: 'failed', failedStep: 'sparse-files', error: (error as Error).message });
    } finally {
      unlink?.();
      if (host !== undefined && !entry.left) removeCheckpoint(checkpoints, id);
    }
  }

  /**
   * A build host's build an earlier console was running when it ended,
   * carried on here on the helper session it left (already attached): the
   * step under way runs again, answered from what the helper did.
   */
  function carryOn(detail: BuildDetail, point: BuildCheckpoint, source: HelperSource): string {
    const { id } = detail.summary;
    const spec = parse(detail.specText);
    // The spec's text is read with this machine's defaults: ones that changed since would build something else.
    if (specHash(spec) !== point.specHash) throw new Error('its spec reads differently on this console (this machine\'s mirror, architecture or SOURCE_DATE_EPOCH changed)');
    const entry = liveEntry(detail, claimOutput(spec, point.host, id));
    jobs.adopt(entry);
    const step = buildSteps[point.step]!;
    const loggedSeq = history.lastSeq(id);
    entry.log.add(null, 'info', `carried on by this console after the one running it ended: re-attached to its helper session ${point.session} on ${point.host}; step ${step.label} runs again from its start, answered from what the helper did (its log from message #${loggedSeq + 1})`);
    deps.bus.publish('builds.started', jobs.find(id).detail);
    entry.done = runBuild(entry, spec, source, { from: point, loggedSeq });
    placement?.occupy({ id, specHash: point.specHash, outputDir: resolve(spec.output.dir), host: point.host }, entry.done);
    return `build ${id} (${spec.name}) on ${point.host}: carried on from step ${step.label}`;
  }

  /** A build host's journal recovery for one build: its workspace is read by its own helper. */
  async function recoverOn(source: HelperSource, id: string): Promise<string[]> {
    const helper = await source.get();
    // A helper that started after one died released that one's builds itself: what it did for this one is told too.
    const atStart = (helper.recoveredAtStart ?? []).filter((line) => line.startsWith(`${id}: `) || line.startsWith(`NOT cleaned: ${id}: `));
    const result = await helper.call('recover', { buildIds: [id] }).result;
    return [...atStart, ...result.cleaned, ...result.failed.map((f) => `NOT cleaned: ${f}`)];
  }

  // Builds for build hosts: looked up in the hosts' caches, then queued for a slot (host-placement.ts).
  const resolvers = new Map<string, { entry: Live; spec: ImageSpec; resolve: (summary: BuildSummary) => void }>();
  const settle = (id: string, end: (entry: Live, spec: ImageSpec) => Promise<BuildSummary> | BuildSummary) => {
    const pending = resolvers.get(id);
    if (!pending) return Promise.resolve();
    resolvers.delete(id);
    // Out of the queue, however it ends: no position any more.
    const { queuePosition: _position, ...summary } = pending.entry.detail.summary;
    pending.entry.detail.summary = summary;
    return Promise.resolve(end(pending.entry, pending.spec)).then(pending.resolve);
  };
  const published = (entry: Live, patch: Partial<BuildSummary>) => {
    const { queuePosition: _position, ...summary } = entry.detail.summary;
    entry.detail.summary = { ...summary, ...patch };
    deps.bus.publish('builds.started', entry.detail);
  };
  const placement = deps.buildHosts
    ? createHostPlacement({
        pool: deps.buildHosts,
        launch: (id, host, source) =>
          settle(id, (entry, spec) => {
            published(entry, { host });
            entry.log.add(null, 'info', `placed on build host ${host}`);
            return runBuild(entry, spec, source);
          }),
        hit: (id, host, hit) =>
          void settle(id, (entry) => {
            entry.detail.steps = entry.detail.steps.map((step) => ({ ...step, status: 'skipped', message: 'cache hit' }));
            entry.log.add(null, 'info', `cache hit on build host ${host}: ${hit.metadataPath} records spec ${entry.detail.summary.specHash.slice(0, 12)} and its artifacts are in place; nothing to build`);
            return finish(entry, { status: 'succeeded', cacheHit: true, host, artifacts: hit.artifacts, metadataPath: hit.metadataPath });
          }),
        fail: (id, message) => void settle(id, (entry) => finish(entry, { status: 'failed', failedStep: 'sparse-files', error: message })),
        position: (id, position) => {
          const entry = resolvers.get(id)?.entry;
          if (entry) published(entry, { queuePosition: position });
        },
      })
    : null;

  /** A build for a host or `any`: refused with nothing begun when there is no such host, else placed. */
  function startOnHost(spec: ImageSpec, specText: string, hash: string, host: string) {
    if (!placement) throw new SlipwayError('bad_request', 'builds on build hosts need the node inventory: run them from the console or `slipway build --host`', 'host');
    placement.check(host);
    const entry = begin(spec, specText, hash, false, host);
    const { id } = entry.detail.summary;
    entry.done = new Promise<BuildSummary>((resolve) => resolvers.set(id, { entry, spec, resolve }));
    placement.place({
      id, name: spec.name, imageCount: spec.images.length, specHash: hash, outputDir: resolve(spec.output.dir), host, container: spec.output.container,
      log: (stream, text) => entry.log.add(null, stream, text),
    });
    return { id, cacheHit: false, done: entry.done };
  }

  const service = {
    defaults(): BuildDefaults {
      return { mirror: deps.hostMirror, arch: deps.hostArch, outputDir: deps.imagesDir, workspace: deps.workspace, exampleSpec: exampleSpec(deps.imagesDir, deps.hostArch) };
    },

    validate(specText: string) {
      const result = parseSpecText(specText, fill);
      if (!result.ok) return { problems: result.problems, specHash: null };
      const outside = outputRootProblem(result.spec.output.dir, deps.outputRoots);
      return outside ? { problems: [outside], specHash: null } : { problems: [], specHash: specHash(result.spec) };
    },

    list: (): BuildSummary[] => jobs.summaries(),
    /** Packages added, removed and changed from one build to another. */
    diff: (from: string, to: string): Promise<ManifestDiff> => manifests.diff(from, to),
    get: (id: string) => jobs.find(id).detail,
    logs: (id: string, from: number, count: number) => jobs.logs(id, from, count),

    /**
     * Starts a build (or answers from the cache) and returns at once; `done` resolves when it ends.
     * With `host`, it runs on that build host, its output folder being the host's.
     */
    start(specText: string, options: { host?: string } = {}): { id: string; cacheHit: boolean; done: Promise<BuildSummary> } {
      const spec = parse(specText);
      const hash = specHash(spec);
      // A host's folders are not seen from here: its own helper looks for the artifacts (host-placement.ts).
      if (options.host !== undefined) return startOnHost(spec, specText, hash, options.host);
      const cached = cachedArtifacts(spec, hash);
      const entry = begin(spec, specText, hash, cached !== null, undefined);
      const { id } = entry.detail.summary;
      if (cached) {
        entry.detail.steps = entry.detail.steps.map((step) => ({ ...step, status: 'skipped', message: 'cache hit' }));
        entry.log.add(null, 'info', `cache hit: ${cached.metadataPath} records spec ${hash.slice(0, 12)} and its artifacts are in place; nothing to build`);
        entry.done = Promise.resolve(finish(entry, { status: 'succeeded', artifacts: cached.artifacts, metadataPath: cached.metadataPath }));
      } else {
        entry.done = runBuild(entry, spec, deps.helpers);
      }
      return { id, cacheHit: cached !== null, done: entry.done };
    },

    cancel(id: string): boolean {
      const entry = jobs.running(id);
      if (!entry) return false;
      if (placement?.cancel(id)) {
        // Waiting for a slot, or still asking the hosts' caches: nothing has started on any host.
        entry.log.add(null, 'info', 'cancelled while queued: nothing had started');
        void settle(id, () => {
          entry.detail.steps = entry.detail.steps.map((step) => ({ ...step, status: 'skipped' }));
          return finish(entry, { status: 'cancelled' });
        });
        return true;
      }
      entry.log.add(null, 'info', 'cancel requested');
      entry.cancelled = true;
      entry.run?.cancel();
      return true;
    },

    /**
     * This console is closing: its builds running on build hosts are left
     * running there (their checkpoints kept), for the next console start to
     * carry on within the helpers' linger time. The hosts whose helpers must
     * be let go of rather than closed.
     */
    leaveHostBuilds(): Set<string> {
      const hosts = new Set<string>();
      for (const id of [...jobs.liveIds()]) {
        const entry = jobs.running(id)!;
        const { host } = entry.detail.summary;
        if (host === undefined || entry.run === null) continue;
        entry.log.add(null, 'info', `left running on ${host} as this console closed: the next console start carries it on (within the helper's linger time)`);
        entry.log.flush();
        entry.left = true;
        hosts.add(host);
      }
      return hosts;
    },

    /** Builds on build hosts an earlier console was running when it ended: carried on here, or ended saying why (host-build-resume.ts). */
    resumeHostBuilds(): Promise<{ carried: string[]; ended: string[] }> {
      const pool = deps.buildHosts;
      if (!pool?.adopt) return Promise.resolve({ carried: [], ended: [] });
      return resumeHostBuilds({ dir: checkpoints, adopt: pool.adopt.bind(pool), held: () => jobs.heldJobs(), interrupt: (id, why) => jobs.interrupt(id, why), carryOn });
    },

    /** Journal recovery: release what builds of a dead Slipway left behind, and say what. */
    async recover(): Promise<string[]> {
      const orphans = orphanedBuilds(deps.workspace, deps.owner, new Set([...jobs.liveIds(), ...(deps.otherLive?.() ?? [])]));
      if (orphans.length === 0) return [];
      const helper = await deps.helpers.get();
      const result = await helper.call('recover', { buildIds: orphans }).result;
      const cleaned = [...result.cleaned, ...result.failed.map((f) => `NOT cleaned: ${f}`)];
      deps.bus.publish('builds.recovered', { cleaned });
      return cleaned;
    },
  };
  return service;
}

export type BuildService = ReturnType<typeof createBuildService>;
