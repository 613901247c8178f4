import type { CellConnection, CellDelta, CellSnapshot, CellTraceEvent } from '../../shared/contract/cells.js';
import { readBlackedOut, readFinished, readPlacement, readPresence, readRunning, readScheduled, readServers, readTraces, type FamilyContext } from './cell-families.js';
import { CellStore, type StoreChanges } from './cell-store.js';
import { isConnectionError, ZkSession, type ZkState } from './zk-session.js';
import type { ZkUrl } from './zk-url.js';

export interface CellReaderOptions {
  sessionTimeoutMs?: number;
  /** Requests in flight at once on the session (pipelining), bounded so a 50,000-node family does not queue 50,000 callbacks. */
  inFlight?: number;
  /** No session within this long → "unreachable" (the client keeps trying). */
  connectTimeoutMs?: number;
  onSnapshot?: (snapshot: CellSnapshot) => void;
  onDelta?: (delta: CellDelta) => void;
  /** A connection change before the first snapshot (after it, deltas carry the connection): "unreachable" at start is said at once. */
  onConnection?: (connection: CellConnection) => void;
}

/**
 * One cell, live: a read-only ZooKeeper session, the whole cell read once
 * (pipelined), then watches. Steps:
 *   1. connect; on each new connection, check the chroot exists (never create it);
 *   2. read every path family with watches; the first complete read is the snapshot (seq 1);
 *   3. each watch fire re-reads its node and re-arms; changes leave as deltas (seq +1 each);
 *   4. on a reconnect or a new session after expiry, read everything again: the
 *      difference from what was known leaves as one delta, so a client stays in step.
 */
export class CellReader {
  private readonly store = new CellStore();
  private readonly session: ZkSession;
  private seq = 0;
  private generation = 0;
  private loading = false;
  private flushQueued = false;
  private connectionChanged = false;
  private connection: CellConnection = { state: 'connecting', since: Date.now(), lastGoodRead: null, stale: false, error: null };
  private unreachableTimer: NodeJS.Timeout | null = null;
  private readonly firstSnapshot: Promise<CellSnapshot>;
  private resolveFirst!: (snapshot: CellSnapshot) => void;
  private rejectFirst!: (error: Error) => void;

  constructor(
    readonly cell: string,
    readonly url: ZkUrl,
    private readonly options: CellReaderOptions = {},
  ) {
    this.firstSnapshot = new Promise((resolve, reject) => {
      this.resolveFirst = resolve;
      this.rejectFirst = reject;
    });
    // The first snapshot's rejection is the caller's to see via ready(); an unobserved one is not a crash.
    this.firstSnapshot.catch(() => undefined);
    this.session = new ZkSession(url, { sessionTimeoutMs: options.sessionTimeoutMs, onState: (state, error) => this.onSessionState(state, error) });
  }

  start(): void {
    this.session.start();
    this.armUnreachable();
  }

  /** Resolves with the first complete snapshot; rejects if the cell cannot be read at all (a missing chroot). */
  ready(): Promise<CellSnapshot> {
    return this.firstSnapshot;
  }

  close(): void {
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer);
    this.generation += 1;
    this.session.close();
    this.rejectFirst(new Error(`cell ${this.cell} was closed before its first snapshot`));
  }

  snapshot(): CellSnapshot {
    return { cell: this.cell, seq: Math.max(this.seq, 1), connection: this.connection, ...this.store.rows() };
  }

  /** One instance's events in Treadmill's order (the shard's node names, already read). */
  trace(instance: string): CellTraceEvent[] {
    return this.store.traceOf(instance);
  }

  connectionState(): CellConnection {
    return this.connection;
  }

  private setConnection(state: CellConnection['state'], error: string | null, goodRead = false): void {
    const now = Date.now();
    const since = state === this.connection.state ? this.connection.since : now;
    const lastGoodRead = goodRead ? now : this.connection.lastGoodRead;
    // Once read, the rows stay shown; until the next complete read they are marked as of lastGoodRead.
    this.connection = { state, since, lastGoodRead, stale: lastGoodRead !== null && !goodRead, error };
    this.connectionChanged = true;
    if (this.seq === 0) this.options.onConnection?.(this.connection);
    this.queueFlush();
  }

  private armUnreachable(): void {
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer);
    this.unreachableTimer = setTimeout(() => {
      if (this.connection.state !== 'connected') {
        const hosts = this.url.hosts.map(({ host, port }) => `${host}:${port}`).join(',');
        this.setConnection('unreachable', `no ZooKeeper session with ${hosts} after ${this.options.connectTimeoutMs ?? 5000} ms; still trying`);
      }
    }, this.options.connectTimeoutMs ?? 5000);
    this.unreachableTimer.unref();
  }

  private onSessionState(state: ZkState, error: string | null): void {
    if (state === 'closed') return;
    // The new session after an expiry starts 'connecting'; the expiry stays said until it connects.
    if (state === 'connecting' && this.connection.state === 'expired') error = this.connection.error;
    if (state === 'connected') {
      if (this.unreachableTimer) clearTimeout(this.unreachableTimer);
      this.setConnection('connected', null);
      void this.load();
      return;
    }
    this.setConnection(state, error);
    if (state === 'disconnected') this.armUnreachable();
    if (state === 'expired') {
      // A dead session's watches are gone: a new session, then a full read (step 4).
      this.generation += 1;
      this.session.renew();
      this.armUnreachable();
    }
  }

  private context(generation: number): FamilyContext {
    return {
      session: this.session,
      store: this.store,
      inFlight: this.options.inFlight ?? 1000,
      rewatch: (reader) => () => {
        if (generation !== this.generation) return;
        reader().then(
          () => this.queueFlush(),
          (error: unknown) => this.readFailed(error),
        );
      },
    };
  }

  private readFailed(error: unknown): void {
    // A lost connection is handled by the reload after reconnecting; anything else is the cell's problem.
    if (isConnectionError(error)) return;
    this.store.setProblem('/', error instanceof Error ? error.message : String(error));
    this.queueFlush();
  }

  /** Steps 1 and 2 (and 4): the whole cell, every family at once, their requests pipelined on the one session. */
  private async load(): Promise<void> {
    const generation = ++this.generation;
    const full = this.seq > 0;
    this.loading = true;
    try {
      if (this.url.chroot && !(await this.session.exists('/'))) {
        // zkutils.py:connect_native creates a missing chroot; Slipway is read-only and refuses instead.
        const message = `chroot ${this.url.chroot} does not exist on ${this.url.hosts.map(({ host, port }) => `${host}:${port}`).join(',')}; nothing was created`;
        this.loading = false;
        this.setConnection('closed', message);
        this.generation += 1;
        this.session.close();
        this.rejectFirst(new Error(message));
        return;
      }
      const ctx = this.context(generation);
      await Promise.all([readServers(ctx, full), readPresence(ctx), readPlacement(ctx, full), readBlackedOut(ctx, full), readScheduled(ctx), readRunning(ctx, full), readFinished(ctx, full), readTraces(ctx)]);
      if (generation !== this.generation) return;
      this.loading = false;
      this.setConnection('connected', null, true);
      if (this.seq === 0) {
        this.store.flush();
        this.connectionChanged = false;
        this.seq = 1;
        const snapshot = this.snapshot();
        this.options.onSnapshot?.(snapshot);
        this.resolveFirst(snapshot);
      } else this.flush();
    } catch (error) {
      if (generation === this.generation) this.loading = false;
      if (!isConnectionError(error)) this.readFailed(error);
    }
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Coalesce a burst of watch fires into one delta per turn of the event loop.
    setImmediate(() => {
      this.flushQueued = false;
      if (!this.loading && this.seq > 0) this.flush();
    });
  }

  private flush(): void {
    const changes = this.store.flush();
    const connection = this.connectionChanged ? this.connection : undefined;
    this.connectionChanged = false;
    if (!connection && isEmpty(changes)) return;
    for (const delta of split(changes)) {
      this.seq += 1;
      // Built here to the contract's type and bounds; the receiving side validates (zod) what it gets.
      this.options.onDelta?.({ cell: this.cell, seq: this.seq, ...(connection ? { connection } : {}), ...delta });
    }
  }
}

function isEmpty(changes: StoreChanges): boolean {
  const { servers, apps, events, problems } = changes;
  return servers.upserted.length + servers.removed.length + apps.upserted.length + apps.removed.length + events.length + problems.upserted.length + problems.removed.length === 0;
}

/** Deltas of at most `max` rows per list (the contract's bound), in order. */
function split(changes: StoreChanges, max = 5000): StoreChanges[] {
  const parts: StoreChanges[] = [];
  const slice = <T>(list: T[], index: number) => list.slice(index * max, (index + 1) * max);
  const lists = [changes.servers.upserted, changes.servers.removed, changes.apps.upserted, changes.apps.removed, changes.events, changes.problems.upserted, changes.problems.removed];
  const count = Math.max(1, ...lists.map((list) => Math.ceil(list.length / max)));
  for (let index = 0; index < count; index += 1) {
    parts.push({
      servers: { upserted: slice(changes.servers.upserted, index), removed: slice(changes.servers.removed, index) },
      apps: { upserted: slice(changes.apps.upserted, index), removed: slice(changes.apps.removed, index) },
      events: slice(changes.events, index),
      problems: { upserted: slice(changes.problems.upserted, index), removed: slice(changes.problems.removed, index) },
    });
  }
  return parts;
}
