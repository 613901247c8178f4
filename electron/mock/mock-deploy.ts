import { createHash, randomBytes } from 'node:crypto';
import {
  deployTargetText,
  maskedEnvironment,
  SlipwayError,
  type BuildSummary,
  type deployCommands,
  type DeployDetail,
  type DeployRequest,
  type DeployStep,
  type DeployTarget,
} from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import type { EventBus } from '../backend/event-bus.js';
import { liveClock, virtualClock, type RunClock } from './mock-script-player.js';
import { distinctImages, extensionDirs, imagesOf, mockExtensions, resolveExtensions, resolveImage } from './mock-deploy-catalog.js';
import { runDeploy, type DeployRecord } from './mock-deploy-run.js';
import { planSteps, type DeployContext } from './mock-deploy-script.js';

/**
 * Scripted overlay deploys (see mock-deploy-script.ts for the steps). The
 * request is checked as the real service checks it: the image must be one a
 * build produced, the extensions must be installed, an ssh-rsync node must be
 * in the inventory, and a target that exists (any `existing.*` file, or one
 * an earlier deploy wrote) is replaced only with `overwrite: true`.
 */

type DeployCommand = keyof typeof deployCommands;
export type DeployHandlers = Pick<Handlers, DeployCommand>;

export interface MockDeployOptions {
  bus: EventBus;
  builds(): Promise<BuildSummary[]>;
  /** Names in the node inventory: an ssh-rsync target must name one. */
  nodes(): Promise<string[]>;
  /** Multiplies every scripted pause: 1 is the demo pace (a few seconds), 0 as fast as it can. */
  speed?: number;
  flushMs?: number;
}

export interface MockDeploy {
  handlers: DeployHandlers;
  close(): Promise<void>;
}

const workspace = '/var/lib/slipway/work';
const seedSpeed = 40;
const hex = (text: string) => createHash('sha256').update(text).digest('hex');

function deployId(at: number): string {
  return `d-${new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
}

const locationOf = (target: DeployTarget) => (target.kind === 'ssh-rsync' ? `${target.node}:${target.path}` : target.path);

export function createMockDeploy(options: MockDeployOptions): MockDeploy {
  const { bus } = options;
  const speed = options.speed ?? 1;
  const flushMs = options.flushMs ?? 50;
  const records = new Map<string, DeployRecord>();
  /** Targets that exist: written by an earlier deploy. */
  const written = new Set<string>();
  const exists = (target: DeployTarget) => written.has(locationOf(target)) || (target.kind !== 'ssh-rsync' && /\/existing\.[^/]*$/.test(target.path));

  const detail = (record: DeployRecord): DeployDetail => ({ summary: record.summary, steps: [...record.steps], logTotal: record.log.length, env: record.env });

  function find(id: string): DeployRecord {
    const record = records.get(id);
    if (!record) throw new SlipwayError('bad_request', `no deploy with id ${id}`, 'id');
    return record;
  }

  async function prepare(request: DeployRequest, at: number): Promise<{ record: DeployRecord; context: DeployContext; plan: ReturnType<typeof planSteps> }> {
    const image = resolveImage(imagesOf(await options.builds()), request.image);
    const extensions = resolveExtensions(request.extensions);
    const { target } = request;
    if (target.kind === 'ssh-rsync' && !(await options.nodes()).includes(target.node)) {
      throw new SlipwayError('bad_request', `no node named ${target.node} in the inventory`, 'target.node');
    }
    if (exists(target) && !request.overwrite) {
      throw new SlipwayError('bad_request', `${locationOf(target)} exists already`, 'overwrite');
    }
    const id = deployId(at);
    const running = [...records.values()].filter((r) => r.summary.status === 'running').length;
    const plan = planSteps(extensions, target);
    const seed = `${image.path}:${request.extensions.join(',')}:${JSON.stringify(request.env)}:${deployTargetText(target)}`;
    const context: DeployContext = {
      id, image, extensions, env: request.env, secrets: request.secrets, target,
      workdir: `${workspace}/deploy-${id}`,
      // Loops 0-2 are the host's snaps; builds take the next few.
      loop: `/dev/loop${8 + running}`,
      location: locationOf(target),
      bytes: 900_000_000 + (Number.parseInt(hex(seed).slice(0, 6), 16) % 400_000_000),
      sha256: target.kind === 'ssh-rsync' ? null : hex(`${seed}:out`),
    };
    const steps: DeployStep[] = plan.map((s) => ({ id: s.id, label: s.label, status: 'pending', startedAt: null, durationMs: null, message: null }));
    const record: DeployRecord = {
      summary: {
        id, image: image.ref, imagePath: image.path, specHash: image.specHash, extensions: request.extensions, target: deployTargetText(target),
        status: 'running', startedAt: new Date(at).toISOString(), finishedAt: null, durationMs: null, failedStep: null, error: null, output: null,
      },
      steps,
      log: [],
      env: maskedEnvironment(request.env, request.secrets),
      abort: null,
      done: null,
    };
    return { record, context, plan };
  }

  async function run(request: DeployRequest, at: number, clock: RunClock, live: boolean): Promise<DeployRecord> {
    const { record, context, plan } = await prepare(request, at);
    records.set(record.summary.id, record);
    record.abort = new AbortController();
    if (live) bus.publish('deploy.started', detail(record));
    record.done = runDeploy({ record, context, plan, clock, speed: live ? speed : seedSpeed, bus: live ? bus : null, flushMs })
      .then(() => {
        if (record.summary.status === 'succeeded') written.add(context.location);
      })
      .catch((error: unknown) => console.error(`mock deploy ${record.summary.id} crashed:`, error));
    return record;
  }

  // Yesterday's deploys, so the history is not empty: one wrote a tar, one stopped at a failing extension.
  const seeded = (async () => {
    const image = imagesOf(await options.builds())[0];
    if (!image) return;
    const ext = (name: string) => mockExtensions.find((e) => e.name === name)!.path;
    const seeds: { hoursAgo: number; request: DeployRequest }[] = [
      { hoursAgo: 20, request: { image: image.ref, extensions: [ext('set-hostname.configure'), ext('add-users.configure')], env: { HOSTNAME: 'compute', USERS: 'lab,ops' }, secrets: [], target: { kind: 'tar', path: '/srv/deploy/compute-base.tar' }, overwrite: false } },
      { hoursAgo: 2, request: { image: image.ref, extensions: [ext('set-hostname.configure'), ext('fail.configure')], env: { HOSTNAME: 'gpu' }, secrets: [], target: { kind: 'rawdisk', path: '/srv/deploy/gpu.img' }, overwrite: false } },
    ];
    for (const seed of seeds) {
      const at = Date.now() - seed.hoursAgo * 3_600_000;
      await (await run(seed.request, at, virtualClock(at), false)).done;
    }
  })();

  const handlers: DeployHandlers = {
    'deploy.catalog': async () => ({ extensionDirs, extensions: [...mockExtensions], images: distinctImages(imagesOf(await options.builds())) }),
    'deploy.list': async () => {
      await seeded;
      return [...records.values()].map((r) => r.summary).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
    'deploy.get': async ({ id }) => {
      await seeded;
      return detail(find(id));
    },
    'deploy.start': async (request) => {
      await seeded;
      const record = await run(request, Date.now(), liveClock, true);
      return { id: record.summary.id };
    },
    'deploy.cancel': async ({ id }) => {
      const record = find(id);
      if (!record.abort) return { cancelled: false };
      record.abort.abort();
      await record.done;
      return { cancelled: true };
    },
    'deploy.logs': async ({ id, from, count }) => {
      const record = find(id);
      return { lines: record.log.slice(from, from + count), total: record.log.length };
    },
  };

  return {
    handlers,
    async close() {
      const running = [...records.values()].filter((r) => r.abort);
      for (const record of running) record.abort?.abort();
      await Promise.all(running.map((r) => r.done));
    },
  };
}
