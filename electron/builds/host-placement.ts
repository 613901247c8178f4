import { SlipwayError, type Artifact, type ImageSpec } from '../../shared/contract/index.js';
import type { HelperSource } from '../helper/helper-supervisor.js';
import type { BuildHostPool } from './build-host-pool.js';
import { BuildQueue } from './build-queue.js';

/** A build bound for a build host (or `any`), as placement sees it. */
export interface HostJob {
  id: string;
  name: string;
  imageCount: number;
  specHash: string;
  /** The output folder on the host, resolved. */
  outputDir: string;
  host: string;
  /** How its artifacts are packed: with the rest of the spec, what tools its host needs (a host without one is refused before it queues). */
  container: ImageSpec['output']['container'];
  log(stream: 'info' | 'err', text: string): void;
}

export type CacheHit = { artifacts: Artifact[]; metadataPath: string };

export interface HostPlacementDeps {
  pool: BuildHostPool;
  /** Its slot is free on `host`: run it there; resolves when the build has ended. */
  launch(id: string, host: string, source: HelperSource): Promise<void>;
  /** A host holds the spec's artifacts: the build ends as a cache hit there. */
  hit(id: string, host: string, hit: CacheHit): void;
  /** It cannot run where it was placed (the node lost its label or left the inventory while it waited). */
  fail(id: string, message: string): void;
  /** Its position in the queue changed (1 is next). */
  position(id: string, position: number): void;
}

const lookupTimeoutMs = 30_000;

/**
 * Where builds for build hosts run, and when. A host lacking a tool the build
 * needs (or root) is refused first, saying what to install. Each is then looked up in the
 * hosts' spec-hash caches (a hit is answered at once, for `any` from whichever
 * host has it); the rest wait in the queue (build-queue.ts) for a slot: a
 * host takes as many as its limit, never two into one output folder. Builds
 * enter the queue in the order they were started, whatever order the hosts
 * answer in. The queue is this process's: another Slipway's builds on the
 * same host are not counted (the output claim still keeps them apart).
 */
export function createHostPlacement(deps: HostPlacementDeps) {
  const { pool } = deps;
  const waiting = new Map<string, HostJob>();
  let inOrder: Promise<void> = Promise.resolve();
  const queue = new BuildQueue(
    // Cache hits never reach the queue (answered before), so no host in it holds one.
    () => pool.hosts().map((host) => ({ ...host, hasCacheHit: () => false })),
    (build, host) => start(build.id, host),
    () => changed(),
  );
  pool.onChange(() => queue.pump());

  function start(id: string, host: string): Promise<void> {
    waiting.delete(id);
    let source: HelperSource;
    try {
      source = pool.helperOf(host);
    } catch (error) {
      deps.fail(id, (error as Error).message);
      return Promise.resolve();
    }
    return deps.launch(id, host, source);
  }

  /** Says each queued build's position when it moved, once. */
  const positions = new Map<string, number>();
  function changed(): void {
    for (const id of positions.keys()) if (!waiting.has(id)) positions.delete(id);
    for (const id of waiting.keys()) {
      const state = queue.state(id);
      if (state.state !== 'queued' || positions.get(id) === state.position) continue;
      positions.set(id, state.position);
      deps.position(id, state.position);
    }
  }

  async function lookUp(job: HostJob, host: string): Promise<CacheHit | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const query = { outputDir: job.outputDir, name: job.name, imageCount: job.imageCount, specHash: job.specHash };
      const answer = pool.helperOf(host).get().then((helper) => helper.call('cache.lookup', query).result);
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${lookupTimeoutMs / 1000} s`)), lookupTimeoutMs)));
      return (await Promise.race([answer, late])).hit;
    } catch (error) {
      job.log('err', `build host ${host}: its artifact cache could not be read (${(error as Error).message}); building`);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A host's answer for a job: why it cannot run it, or its cache hit (null: none). */
  type Answer = { refused: string } | { hit: CacheHit | null };

  async function ask(job: HostJob, host: string): Promise<Answer> {
    const refused = await pool.refusal(host, job.container).catch((error: Error) => `its readiness could not be checked (${error.message})`);
    return refused === null ? { hit: await lookUp(job, host) } : { refused };
  }

  async function place(job: HostJob, hosts: string[], looked: Promise<Answer[]>): Promise<void> {
    const answers = await looked;
    if (!waiting.has(job.id)) return; // cancelled while the hosts were asked
    const refused = new Map(answers.flatMap((answer, i) => ('refused' in answer ? [[hosts[i]!, answer.refused] as const] : [])));
    if (refused.size === hosts.length) {
      waiting.delete(job.id);
      deps.fail(job.id, [...refused].map(([host, why]) => `build host ${host} cannot run this build: ${why}`).join('; '));
      return;
    }
    for (const [host, why] of refused) job.log('err', `build host ${host} left out: ${why}`);
    const index = answers.findIndex((answer) => 'hit' in answer && answer.hit !== null);
    if (index >= 0) {
      waiting.delete(job.id);
      deps.hit(job.id, hosts[index]!, (answers[index] as { hit: CacheHit }).hit);
      return;
    }
    const state = queue.enqueue({ id: job.id, specHash: job.specHash, outputDir: job.outputDir, host: job.host, ...(refused.size > 0 ? { excluded: new Set(refused.keys()) } : {}) });
    if (state.state === 'queued') job.log('info', `queued: position ${state.position} for ${job.host === 'any' ? 'the first free build host' : `build host ${job.host}`} (its slots are busy)`);
    changed();
  }

  return {
    /** Refuses, before anything is begun, a host that is not a build host, or `any` with none. */
    check(host: string): void {
      if (host !== 'any') pool.helperOf(host);
      else if (pool.hosts().length === 0) throw new SlipwayError('bad_request', 'no build host: label an inventory node build-host (slipway doctor --node NODE checks its tools)', 'host');
    },

    place(job: HostJob): void {
      waiting.set(job.id, job);
      const hosts = job.host === 'any' ? pool.hosts().map((h) => h.name) : [job.host];
      // Asked at once, all hosts side by side; entered into the queue in start order.
      const looked = Promise.all(hosts.map((host) => ask(job, host)));
      inOrder = inOrder.then(() => place(job, hosts, looked));
    },

    /** A build carried on after its console restarted: already running on its host, it holds a slot there until `done`. */
    occupy(job: Pick<HostJob, 'id' | 'specHash' | 'outputDir' | 'host'>, done: Promise<unknown>): void {
      queue.occupy({ id: job.id, specHash: job.specHash, outputDir: job.outputDir, host: job.host }, job.host, done);
    },

    /** True when the build was still waiting (asking caches or queued): nothing of it started anywhere. */
    cancel(id: string): boolean {
      if (!waiting.delete(id)) return false;
      queue.remove(id);
      return true;
    },
  };
}
