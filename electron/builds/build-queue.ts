/**
 * Which build runs where, and when (issue 20, "Queue and placement").
 *
 * Builds wait in arrival order, but a build that cannot start (its host is
 * full, or another build is writing into the same output on that host) never
 * holds up the builds behind it that can: no head-of-line blocking across
 * hosts. A build for `any` goes to a free host, preferring one that holds a
 * cache hit for its spec, then the least loaded one.
 *
 * Pure bookkeeping: starting a build is the caller's `start`, which resolves
 * when the build has ended, however it ended.
 */

export interface QueueHost {
  name: string;
  /** How many builds may run at once on this host. */
  limit: number;
  /** The host has this spec's artifacts cached (a spec-hash hit): the build there is nearly free. */
  hasCacheHit(specHash: string): boolean;
}

export interface QueuedBuild {
  id: string;
  specHash: string;
  /** The output folder on the host; two running builds never share one on the same host. */
  outputDir: string;
  /** A host's name, or `any`. */
  host: string;
  /** For `any`: hosts it may not go to (they lack a tool it needs). */
  excluded?: ReadonlySet<string>;
}

export type QueueState = { state: 'queued'; position: number } | { state: 'running'; host: string } | { state: 'unknown' };

/** The default concurrency: one build per two cores (debootstrap and dpkg each keep a core busy), at least one. */
export function defaultLimit(cores: number): number {
  return Math.max(1, Math.floor(cores / 2));
}

export class BuildQueue {
  readonly #waiting: QueuedBuild[] = [];
  readonly #running = new Map<string, { build: QueuedBuild; host: string }>();

  constructor(
    private readonly hosts: () => readonly QueueHost[],
    private readonly start: (build: QueuedBuild, host: string) => Promise<void>,
    private readonly changed: () => void = () => undefined,
  ) {}

  /** Queues a build, refusing a host nobody knows (an `any` with no hosts waits for one). */
  enqueue(build: QueuedBuild): QueueState {
    if (build.host !== 'any' && !this.hosts().some((host) => host.name === build.host)) {
      throw new Error(`no build host named ${JSON.stringify(build.host)}: label an inventory node build-host, or use any`);
    }
    if (this.#running.has(build.id) || this.#waiting.some((b) => b.id === build.id)) throw new Error(`build ${build.id} is already queued`);
    this.#waiting.push(build);
    this.pump();
    return this.state(build.id);
  }

  /** A build already running on `host` (carried on after its console restarted): it takes a slot there until `done`. */
  occupy(build: QueuedBuild, host: string, done: Promise<unknown>): void {
    this.#running.set(build.id, { build, host });
    void done
      .catch(() => undefined)
      .finally(() => {
        this.#running.delete(build.id);
        this.pump();
      });
  }

  /** Takes a waiting build out of the queue; false when it was not waiting (a running build is cancelled by its runner). */
  remove(id: string): boolean {
    const index = this.#waiting.findIndex((b) => b.id === id);
    if (index < 0) return false;
    this.#waiting.splice(index, 1);
    this.changed();
    return true;
  }

  state(id: string): QueueState {
    const running = this.#running.get(id);
    if (running) return { state: 'running', host: running.host };
    const index = this.#waiting.findIndex((b) => b.id === id);
    return index < 0 ? { state: 'unknown' } : { state: 'queued', position: index + 1 };
  }

  /** Hosts are re-read on every pass: a host added, removed or given another limit applies at the next pump. */
  pump(): void {
    let started = false;
    for (let index = 0; index < this.#waiting.length; ) {
      const build = this.#waiting[index]!;
      const host = this.#place(build);
      if (!host) {
        index += 1;
        continue;
      }
      this.#waiting.splice(index, 1);
      this.#running.set(build.id, { build, host });
      started = true;
      void this.start(build, host)
        .catch(() => undefined) // the runner reports its own failures; the slot is freed either way
        .finally(() => {
          this.#running.delete(build.id);
          this.pump();
        });
    }
    if (started) this.changed();
  }

  #place(build: QueuedBuild): string | null {
    const free = this.hosts().filter((host) => (build.host === 'any' ? !build.excluded?.has(host.name) : host.name === build.host) && this.#hasRoom(host, build.outputDir));
    if (free.length === 0) return null;
    const load = (host: QueueHost) => this.#runningOn(host.name) / host.limit;
    free.sort((a, b) => Number(b.hasCacheHit(build.specHash)) - Number(a.hasCacheHit(build.specHash)) || load(a) - load(b) || (a.name < b.name ? -1 : 1));
    return free[0]!.name;
  }

  #runningOn(host: string): number {
    let count = 0;
    for (const entry of this.#running.values()) if (entry.host === host) count += 1;
    return count;
  }

  #hasRoom(host: QueueHost, outputDir: string): boolean {
    if (this.#runningOn(host.name) >= host.limit) return false;
    for (const entry of this.#running.values()) if (entry.host === host.name && entry.build.outputDir === outputDir) return false;
    return true;
  }
}
