import { parseInstance } from '../../shared/contract/instance-name.js';
import type { CellApp, CellProblem, CellServer, CellTraceEvent } from '../../shared/contract/cells.js';
import { finishedExit, type FinishedRecord, type PlacementState, type ServerRecord } from './cell-decode.js';
import { compareTraceEvents, parseTraceNode, paths, presenceHost, traceNodeProblem, traceShardOf } from './cell-names.js';

export interface StoreChanges {
  servers: { upserted: CellServer[]; removed: string[] };
  apps: { upserted: CellApp[]; removed: string[] };
  events: CellTraceEvent[];
  problems: { upserted: CellProblem[]; removed: string[] };
}

/**
 * The raw content of a cell's ZooKeeper as read so far, and the rows derived
 * from it. Setters mark what they touch; `flush()` re-derives only those rows
 * and returns what changed since the last flush. Pure: no ZooKeeper here.
 */
export class CellStore {
  private readonly servers = new Map<string, ServerRecord | null>();
  private readonly presenceNodes = new Set<string>();
  private readonly presentHosts = new Map<string, number>();
  private readonly placementStates = new Map<string, PlacementState | null>();
  private readonly placed = new Map<string, Set<string>>();
  private readonly placedOn = new Map<string, string>();
  private readonly blackedout = new Map<string, string>();
  private readonly scheduled = new Set<string>();
  private readonly running = new Map<string, string>();
  private readonly finished = new Map<string, FinishedRecord>();
  /**
   * Each /trace shard's node names as last read: the trace events themselves. A name holds the whole
   * event, so an instance's events are parsed from its shard's names when asked for (`traceOf`), not
   * kept as 200,000 parsed objects (about 180 MiB of a 50,000-instance cell's heap).
   */
  private readonly traceShardNodes = new Map<string, Set<string>>();
  private readonly problems = new Map<string, string>();

  private readonly serverRows = new Map<string, { row: CellServer; key: string }>();
  private readonly appRows = new Map<string, { row: CellApp; key: string }>();
  private readonly dirtyServers = new Set<string>();
  private readonly dirtyApps = new Set<string>();
  private readonly dirtyProblems = new Set<string>();
  private pendingEvents: CellTraceEvent[] = [];
  private traceCount = 0;
  /** Events read before the first flush are part of the snapshot (counted, parsed again by `traceOf`), not a delta's. */
  private flushed = false;

  /** Instance names are checked once here: a name that is not an instance is a problem of its path. */
  private instanceOk(path: string, instance: string): boolean {
    if (parseInstance(instance)) return true;
    this.setProblem(path, `"${instance}" is not an instance name`);
    return false;
  }

  setProblem(path: string, problem: string | null): void {
    if ((this.problems.get(path) ?? null) === problem) return;
    if (problem === null) this.problems.delete(path);
    else this.problems.set(path, problem);
    this.dirtyProblems.add(path);
  }

  /** Forget every problem under a path (its node or children were read again). */
  clearProblems(prefix: string): void {
    for (const path of this.problems.keys()) if (path === prefix || path.startsWith(`${prefix}/`)) this.setProblem(path, null);
  }

  setServer(host: string, record: ServerRecord | null | undefined): void {
    if (record === undefined) this.servers.delete(host);
    else this.servers.set(host, record);
    this.dirtyServers.add(host);
  }

  serverHosts(): string[] {
    return [...this.servers.keys()];
  }

  /** presence.py:register_server: one ephemeral '<host>#<seq>' per live session; a host is up while any is there. */
  setPresence(nodes: Iterable<string>): void {
    const next = new Set(nodes);
    for (const node of this.presenceNodes) if (!next.has(node)) this.countPresence(node, -1);
    for (const node of next) if (!this.presenceNodes.has(node)) this.countPresence(node, +1);
    this.presenceNodes.clear();
    for (const node of next) this.presenceNodes.add(node);
  }

  private countPresence(node: string, by: number): void {
    const host = presenceHost(node);
    const count = (this.presentHosts.get(host) ?? 0) + by;
    if (count > 0) this.presentHosts.set(host, count);
    else this.presentHosts.delete(host);
    this.dirtyServers.add(host);
  }

  setPlacementState(host: string, state: PlacementState | null | undefined): void {
    if (state === undefined) this.placementStates.delete(host);
    else this.placementStates.set(host, state);
    this.dirtyServers.add(host);
  }

  placementHosts(): string[] {
    return [...this.placementStates.keys()];
  }

  /** scheduler/master.py:reschedule: one persistent /placement/<host>/<instance> per placed app. */
  setPlaced(host: string, instances: Iterable<string> | undefined): void {
    const before = this.placed.get(host) ?? new Set<string>();
    const after = new Set<string>();
    for (const instance of instances ?? []) if (this.instanceOk(`/placement/${host}/${instance}`, instance)) after.add(instance);
    for (const instance of before) {
      if (after.has(instance)) continue;
      if (this.placedOn.get(instance) === host) this.placedOn.delete(instance);
      this.dirtyApps.add(instance);
    }
    for (const instance of after) {
      if (before.has(instance)) continue;
      this.placedOn.set(instance, host);
      this.dirtyApps.add(instance);
    }
    if (instances === undefined) this.placed.delete(host);
    else this.placed.set(host, after);
    this.dirtyServers.add(host);
  }

  setBlackedOut(host: string, reason: string | undefined): void {
    if (reason === undefined) this.blackedout.delete(host);
    else this.blackedout.set(host, reason);
    this.dirtyServers.add(host);
  }

  blackedOutHosts(): string[] {
    return [...this.blackedout.keys()];
  }

  setScheduled(instances: Iterable<string>): void {
    const next = new Set<string>();
    for (const instance of instances) if (this.instanceOk(`/scheduled/${instance}`, instance)) next.add(instance);
    for (const instance of this.scheduled) if (!next.has(instance)) this.dirtyApps.add(instance);
    for (const instance of next) if (!this.scheduled.has(instance)) this.dirtyApps.add(instance);
    this.scheduled.clear();
    for (const instance of next) this.scheduled.add(instance);
  }

  /** Returns false when the name is not an instance (recorded as a problem). */
  acceptInstance(path: string, instance: string): boolean {
    return this.instanceOk(path, instance);
  }

  setRunning(instance: string, host: string | undefined): void {
    if (host === undefined) this.running.delete(instance);
    else this.running.set(instance, host);
    this.dirtyApps.add(instance);
  }

  runningInstances(): string[] {
    return [...this.running.keys()];
  }

  setFinished(instance: string, record: FinishedRecord | undefined): void {
    if (record === undefined) this.finished.delete(instance);
    else this.finished.set(instance, record);
    this.dirtyApps.add(instance);
  }

  finishedInstances(): string[] {
    return [...this.finished.keys()];
  }

  /**
   * A /trace shard's children as read now: new names are parsed (a bad one is a problem of its path,
   * trace events are never changed in place), names gone are pruned history (not a change shown).
   */
  setTraceShard(shard: string, names: readonly string[]): void {
    const before = this.traceShardNodes.get(shard) ?? new Set<string>();
    const now = new Set(names);
    const path = (node: string) => `${paths.trace}/${shard}/${node}`;
    for (const node of before) {
      if (now.has(node)) continue;
      this.setProblem(path(node), null);
      if (traceNodeProblem(node) === null) this.traceCount -= 1;
    }
    for (const node of now) {
      if (before.has(node)) continue;
      // Before the first snapshot is out, names are only checked and counted: no event is sent for them.
      const parsed = this.flushed ? parseTraceNode(node) : null;
      const problem = parsed ? (parsed.ok ? null : parsed.problem) : traceNodeProblem(node);
      if (problem !== null) {
        this.setProblem(path(node), problem);
        continue;
      }
      this.traceCount += 1;
      if (parsed?.ok) this.pendingEvents.push(parsed.event);
    }
    this.traceShardNodes.set(shard, now);
  }

  /** One instance's events in Treadmill's order, parsed from its shard's names (`<instance>,…`). */
  traceOf(instance: string): CellTraceEvent[] {
    const shard = traceShardOf(instance);
    const nodes = shard === null ? undefined : this.traceShardNodes.get(shard);
    const events: CellTraceEvent[] = [];
    const prefix = `${instance},`;
    for (const node of nodes ?? []) {
      if (!node.startsWith(prefix)) continue;
      const parsed = parseTraceNode(node);
      if (parsed.ok) events.push(parsed.event);
    }
    return events.sort(compareTraceEvents);
  }

  /**
   * An app's state, strongest evidence first: a live /running node, then the exit summary in /finished,
   * then a placement, then the /scheduled manifest alone (pending, as `treadmill show pending` lists).
   */
  private appRow(instance: string): CellApp | null {
    const parsed = parseInstance(instance);
    if (!parsed) return null;
    const base = { instance, proid: parsed.proid, when: null, exit: null };
    const running = this.running.get(instance);
    if (running !== undefined) return { ...base, state: 'running', server: running };
    const finished = this.finished.get(instance);
    if (finished) {
      const exit = finished.state === 'finished' ? (finishedExit(finished.data) ?? finished.data) : finished.data;
      return { ...base, state: finished.state, server: finished.host, when: finished.when, exit };
    }
    const placedOn = this.placedOn.get(instance);
    if (placedOn !== undefined) return { ...base, state: 'placed', server: placedOn };
    if (this.scheduled.has(instance)) return { ...base, state: 'pending', server: null };
    return null;
  }

  private serverRow(host: string): CellServer | null {
    const record = this.servers.get(host);
    const present = this.presentHosts.has(host);
    const placement = this.placementStates.get(host);
    if (record === undefined && !present && placement === undefined) return null;
    // loader.py:adjust_presence: a server without presence is down whatever /placement last recorded.
    const state = !present ? 'down' : (placement?.state ?? 'up');
    return {
      host,
      present,
      state,
      since: placement?.since ?? null,
      partition: record?.partition ?? null,
      parent: record?.parent ?? null,
      capacity: record?.capacity ?? { memory: null, cpu: null, disk: null },
      traits: record?.traits ?? [],
      blackedOut: this.blackedout.get(host) ?? null,
      placed: this.placed.get(host)?.size ?? 0,
    };
  }

  flush(): StoreChanges {
    const changes: StoreChanges = { servers: { upserted: [], removed: [] }, apps: { upserted: [], removed: [] }, events: this.pendingEvents, problems: { upserted: [], removed: [] } };
    this.pendingEvents = [];
    derive(this.dirtyServers, this.serverRows, (host) => this.serverRow(host), changes.servers);
    derive(this.dirtyApps, this.appRows, (instance) => this.appRow(instance), changes.apps);
    for (const path of this.dirtyProblems) {
      const problem = this.problems.get(path);
      if (problem === undefined) changes.problems.removed.push(path);
      else changes.problems.upserted.push({ path, problem });
    }
    this.dirtyProblems.clear();
    changes.events.sort(compareTraceEvents);
    this.flushed = true;
    return changes;
  }

  rows(): { servers: CellServer[]; apps: CellApp[]; problems: CellProblem[]; traceEvents: number } {
    return {
      servers: [...this.serverRows.values()].map(({ row }) => row),
      apps: [...this.appRows.values()].map(({ row }) => row),
      problems: [...this.problems].map(([path, problem]) => ({ path, problem })),
      traceEvents: this.traceCount,
    };
  }
}

function derive<Row>(dirty: Set<string>, rows: Map<string, { row: Row; key: string }>, make: (id: string) => Row | null, out: { upserted: Row[]; removed: string[] }): void {
  for (const id of dirty) {
    const row = make(id);
    const previous = rows.get(id);
    if (row === null) {
      if (previous) {
        rows.delete(id);
        out.removed.push(id);
      }
      continue;
    }
    // Rows are small flat records: their JSON is a cheap, exact change test.
    const key = JSON.stringify(row);
    if (previous?.key === key) continue;
    rows.set(id, { row, key });
    out.upserted.push(row);
  }
  dirty.clear();
}
