import { parseInstance } from '../../shared/contract/instance-name.js';
import type { CellApp, CellProblem, CellServer, CellTraceEvent } from '../../shared/contract/cells.js';
import { finishedExit, type FinishedRecord, type PlacementState, type ServerRecord } from './cell-decode.js';
import { compareTraceEvents, presenceHost } from './cell-names.js';

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
  private readonly traces = new Map<string, Map<string, CellTraceEvent>>();
  private readonly traceShardNodes = new Map<string, Set<string>>();
  private readonly problems = new Map<string, string>();

  private readonly serverRows = new Map<string, { row: CellServer; key: string }>();
  private readonly appRows = new Map<string, { row: CellApp; key: string }>();
  private readonly dirtyServers = new Set<string>();
  private readonly dirtyApps = new Set<string>();
  private readonly dirtyProblems = new Set<string>();
  private pendingEvents: CellTraceEvent[] = [];
  private traceCount = 0;

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

  /** The node names last read in a /trace shard (what a watch fire is compared with). */
  shardNodes(shard: string): ReadonlySet<string> {
    return this.traceShardNodes.get(shard) ?? new Set();
  }

  setShardNodes(shard: string, nodes: Set<string>): void {
    this.traceShardNodes.set(shard, nodes);
  }

  /** Trace events are added once (a node name never changes); removal is pruning, which deletes no history shown. */
  addTraceEvent(event: CellTraceEvent): void {
    let events = this.traces.get(event.instance);
    if (!events) this.traces.set(event.instance, (events = new Map()));
    if (events.has(event.node)) return;
    events.set(event.node, event);
    this.traceCount += 1;
    this.pendingEvents.push(event);
  }

  removeTraceEvent(instance: string, node: string): void {
    if (this.traces.get(instance)?.delete(node)) this.traceCount -= 1;
  }

  hasTraceEvent(instance: string, node: string): boolean {
    return this.traces.get(instance)?.has(node) ?? false;
  }

  traceOf(instance: string): CellTraceEvent[] {
    return [...(this.traces.get(instance)?.values() ?? [])].sort(compareTraceEvents);
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
