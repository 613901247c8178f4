import { randomBytes } from 'node:crypto';
import { parseSpecText } from '../../shared/builds/spec-text.js';
import { expectedLike } from '../../shared/jobs/step-estimate.js';
import { buildOutputBusy } from '../../shared/builds/build-output-claim.js';
import { buildCommands, buildSteps, SlipwayError, StepId, type BuildDetail, type ImageSpec, type StepState } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import { specHash } from '../builds/spec-hash.js';
import type { EventBus } from '../backend/event-bus.js';
import { planArtifacts } from './mock-build-context.js';
import { runBuild, type BuildRecord } from './mock-build-run.js';
import { liveClock, virtualClock, type RunClock } from './mock-script-player.js';
import { mockDefaults, mockOutputRoots, seedBuilds } from './mock-build-specs.js';
import { outputRootProblem } from '../builds/output-root-check.js';
import { mockManifest } from './mock-build-packages.js';
import { diffManifests } from '../../shared/builds/manifest-diff.js';
import { toLogBatch } from '../../shared/contract/log-batch.js';
import { MockLog, MockLogFiles } from './mock-log.js';
import { seedNodes } from './mock-node-fleet.js';
import { mockFetch } from './mock-build-fetch.js';

/** The mock fleet's build hosts (labelled build-host): where `host` may send a build. */
export const mockBuildHosts = seedNodes.filter((n) => n.spec.labels.includes('build-host')).map((n) => n.spec.name);

/**
 * Scripted image builds for demos and UI tests. Builds run through all 13
 * steps with realistic output and take about 4 s. The spec's `name` picks a
 * scenario, so tests and demos need no other switch:
 *
 * - `fail-at-<step id>` (e.g. `fail-at-install-packages`) fails at that step
 *   with the error a real host gives ("E: Unable to locate package nosuchpkg");
 * - `huge-log` writes 300,000 more lines during debootstrap, in big batches,
 *   to exercise the log viewer; with SLIPWAY_MOCK_FLOOD_LINES=n it writes n lines
 *   instead, unpaced (the `bench/ui` flood);
 * - `slow` takes about 20 s, time enough to cancel it.
 *
 * Building a spec whose canonical content equals that of an earlier
 * succeeded build is a cache hit (the real service's spec hash, so "same
 * spec" means the same thing): its artifacts are reused at once.
 */

type BuildCommand = keyof typeof buildCommands;
export type BuildHandlers = Pick<Handlers, BuildCommand>;

export interface MockBuildsOptions {
  bus: EventBus;
  /** Multiplies every scripted pause: 1 is the demo pace, 0 runs a build as fast as it can. */
  speed?: number;
  /** How often accumulated log lines go out as one `builds.log` event. */
  flushMs?: number;
  /** A `huge-log` build floods this many lines, unpaced, instead of its 300,000 paced ones. */
  floodLines?: number | null;
}

export interface MockBuilds {
  handlers: BuildHandlers;
  close(): Promise<void>;
}

const slowFactor = 4.7;

/** SLIPWAY_MOCK_FLOOD_LINES, when a positive whole number: the bench's flood (bench/ui). */
export function floodLinesFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const value = Number(env.SLIPWAY_MOCK_FLOOD_LINES);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}
const seedSpeed = 40;

interface Scenario {
  failAt: StepId | null;
  hugeLog: boolean;
  slow: boolean;
}

function scenarioOf(spec: ImageSpec): Scenario {
  const failAt = StepId.safeParse(spec.name.replace(/^fail-at-/, ''));
  return {
    failAt: spec.name.startsWith('fail-at-') && failAt.success ? failAt.data : null,
    hugeLog: spec.name === 'huge-log',
    slow: spec.name === 'slow',
  };
}

function buildId(at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

const pendingSteps = (): StepState[] => buildSteps.map((s) => ({ id: s.id, label: s.label, status: 'pending', startedAt: null, durationMs: null, message: null }));

export function createMockBuilds(options: MockBuildsOptions): MockBuilds {
  const { bus } = options;
  const speed = options.speed ?? 1;
  const flushMs = options.flushMs ?? 50;
  const records = new Map<string, BuildRecord>();
  const logFiles = new MockLogFiles();

  const fill = (raw: Record<string, unknown>) => (raw.mirror === undefined && mockDefaults.mirror ? { ...raw, mirror: mockDefaults.mirror } : raw);
  const parse = (text: string) => parseSpecText(text, fill);

  function find(id: string): BuildRecord {
    const record = records.get(id);
    if (!record) throw new SlipwayError('bad_request', `no build with id ${id}`, 'id');
    return record;
  }

  const detail = (record: BuildRecord): BuildDetail => ({
    summary: record.summary,
    steps: [...record.steps],
    logTotal: record.log.total,
    specText: record.specText,
    expectedStepMs: record.expectedStepMs,
  });

  function newRecord(spec: ImageSpec, specText: string, hash: string, at: number, cacheHit: boolean): BuildRecord {
    const record: BuildRecord = {
      summary: {
        id: buildId(at), name: spec.name, specHash: hash, status: 'running', cacheHit,
        startedAt: new Date(at).toISOString(), finishedAt: null, durationMs: null, failedStep: null, error: null, artifacts: [], metadataPath: null,
      },
      steps: pendingSteps(),
      log: new MockLog(logFiles),
      specText,
      // As the real service: the same spec's earlier builds first, any build's steps filling the gaps.
      expectedStepMs: expectedLike([...records.values()].filter((r) => r.summary.status !== 'running'), (r) => r.summary.specHash === hash),
      abort: null,
      done: null,
    };
    records.set(record.summary.id, record);
    return record;
  }

  function run(record: BuildRecord, spec: ImageSpec, clock: RunClock, live: boolean, scenario = scenarioOf(spec)): Promise<void> {
    const { failAt, hugeLog, slow } = scenario;
    const running = [...records.values()].filter((r) => r.summary.status === 'running').length - 1;
    const workspace = `${mockDefaults.workspace}/${record.summary.id}`;
    const floodLines = hugeLog ? (options.floodLines === undefined ? floodLinesFromEnv() : options.floodLines) : null;
    return runBuild({
      record,
      context: {
        id: record.summary.id,
        spec,
        mirror: spec.mirror ?? mockDefaults.mirror ?? '',
        workspace,
        chroot: `${workspace}/chroot`,
        // Loops 0-2 are taken by the host's snaps; concurrent builds take the next ones.
        loops: new Map(spec.images.map((fs, index) => [fs.name, `/dev/loop${3 + running * spec.images.length + index}`])),
        ...planArtifacts(spec, record.summary.specHash),
        hugeLog,
        floodLines,
      },
      failAt,
      clock,
      // A flood is unpaced from start to end: its time is the log's, not the script's pauses.
      speed: live ? (floodLines ? 0 : speed * (slow ? slowFactor : 1)) : seedSpeed,
      bus: live ? bus : null,
      flushMs,
    });
  }

  function cacheHit(spec: ImageSpec, specText: string, hash: string, earlier: BuildRecord): BuildRecord {
    const now = Date.now();
    const record = newRecord(spec, specText, hash, now, true);
    record.steps = record.steps.map((step) => ({ ...step, status: 'skipped', message: 'cache hit' }));
    bus.publish('builds.started', detail(record));
    const lines = [`cache hit: spec ${hash.slice(0, 12)} was built by ${earlier.summary.id} (${earlier.summary.startedAt}); reusing its artifacts`];
    for (const artifact of earlier.summary.artifacts) lines.push(`  ${artifact.path}  sha256 ${artifact.containerSha256}`);
    bus.publish('builds.log', toLogBatch(record.summary.id, lines.map((text) => record.log.add(null, 'info', text))));
    record.summary = {
      ...record.summary,
      status: 'succeeded', finishedAt: new Date(now).toISOString(), durationMs: 0,
      artifacts: earlier.summary.artifacts, metadataPath: earlier.summary.metadataPath,
    };
    bus.publish('builds.finished', record.summary);
    return record;
  }

  // The seeds replay on a virtual clock; handlers wait for them so the first list is complete.
  const seeded = (async () => {
    for (const seed of seedBuilds) {
      const parsed = parse(seed.specText);
      if (!parsed.ok) throw new Error(`mock seed spec is invalid: ${parsed.problems[0]?.field}`);
      const at = Date.now() - seed.hoursAgo * 3_600_000;
      const record = newRecord(parsed.spec, seed.specText, specHash(parsed.spec), at, false);
      await run(record, parsed.spec, virtualClock(at), false, { failAt: seed.failAt, hugeLog: false, slow: false });
    }
  })();

  const handlers: BuildHandlers = {
    'builds.defaults': async () => mockDefaults,
    'builds.validate': async ({ specText }) => {
      const parsed = parse(specText);
      if (!parsed.ok) return { problems: parsed.problems, specHash: null };
      const outside = outputRootProblem(parsed.spec.output.dir, mockOutputRoots);
      return outside ? { problems: [outside], specHash: null } : { problems: [], specHash: specHash(parsed.spec) };
    },
    'builds.list': async () => {
      await seeded;
      return [...records.values()].map((r) => r.summary).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
    'builds.get': async ({ id }) => {
      await seeded;
      return detail(find(id));
    },
    'builds.start': async ({ specText, host }) => {
      await seeded;
      // As the real service: a node that is no build host is refused; `any` goes to the first one (no queue here).
      if (host !== undefined && host !== 'any' && !mockBuildHosts.includes(host)) {
        throw new SlipwayError('bad_request', `${host} is not a build host: label it build-host in the inventory`, 'host');
      }
      const onHost = host === undefined ? {} : { host: host === 'any' ? mockBuildHosts[0]! : host };
      const parsed = parse(specText);
      if (!parsed.ok) {
        const first = parsed.problems[0]!;
        throw new SlipwayError('bad_request', `the spec is not valid: ${first.field}: ${first.message}`, first.field);
      }
      const { name, output } = parsed.spec;
      const running = [...records.values()].find((r) => {
        if (r.summary.status !== 'running' || r.summary.name !== name) return false;
        const other = parse(r.specText);
        return other.ok && other.spec.output.dir === output.dir;
      });
      if (running) throw new SlipwayError('busy', buildOutputBusy(name, output.dir, `build ${running.summary.id}`));
      const hash = specHash(parsed.spec);
      const earlier = [...records.values()].reverse().find((r) => r.summary.specHash === hash && r.summary.status === 'succeeded');
      if (earlier && host === undefined) return { id: cacheHit(parsed.spec, specText, hash, earlier).summary.id, cacheHit: true };
      const record = newRecord(parsed.spec, specText, hash, Date.now(), false);
      record.summary = { ...record.summary, ...onHost };
      record.abort = new AbortController();
      bus.publish('builds.started', detail(record));
      record.done = run(record, parsed.spec, liveClock, true).catch((error: unknown) => {
        console.error(`mock build ${record.summary.id} crashed:`, error);
      });
      return { id: record.summary.id, cacheHit: false };
    },
    'builds.diff': async ({ from, to }) => {
      await seeded;
      const manifest = (id: string, field: string) => {
        const record = records.get(id);
        if (!record) throw new SlipwayError('bad_request', `no build with id ${id}`, field);
        const installed = record.steps.find((step) => step.id === 'install-packages')?.status === 'done' || record.summary.cacheHit;
        const parsed = parse(record.specText);
        if (!installed || !parsed.ok) throw new SlipwayError('bad_request', `build ${id} has no package manifest: it ${record.summary.status} before its packages were installed`, field);
        return mockManifest(parsed.spec.packages);
      };
      return diffManifests(from, to, manifest(from, 'from'), manifest(to, 'to'));
    },
    'builds.cancel': async ({ id }) => {
      const record = find(id);
      if (!record.abort) return { cancelled: false };
      record.abort.abort();
      await record.done;
      return { cancelled: true };
    },
    'builds.logs': async ({ id, from, count }) => {
      const record = find(id);
      return { total: record.log.total, lines: await record.log.page(from, count) };
    },
    'builds.fetch': async ({ id, to }) => mockFetch(bus, find(id).summary, to),
  };

  return {
    handlers,
    async close() {
      const running = [...records.values()].filter((r) => r.abort);
      for (const record of running) record.abort?.abort();
      await Promise.all(running.map((r) => r.done));
      logFiles.close();
    },
  };
}
