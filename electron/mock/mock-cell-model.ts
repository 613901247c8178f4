import type { CellApp, CellAppState, CellProblem, CellServer, CellTraceEvent } from '../../shared/contract/cells.js';
import { compareTraceEvents, parseTraceNode } from '../cells/cell-names.js';
import type { CellChanges } from '../cells/cell-feed.js';

/**
 * A mocked Treadmill cell: servers and instances that change as a real cell
 * does (apps finish, new ones are scheduled, placed and started, a server goes
 * down and its apps are rescheduled, then it comes back), driven by a seeded
 * generator and the times passed to `tick`, never by the wall clock: the same
 * seed and times give the same cell and the same changes (UI tests rely on it).
 * Pure: no timers here (mock-cells.ts runs it).
 */

export interface MockCellOptions {
  seed?: number;
  servers?: number;
  instances?: number;
  /** The cell's "now" at creation (seconds): initial apps started in the hours before it. */
  epoch: number;
  /** Apps changed per tick (about): 8 by default; a bench asks for bursts of 1,000. */
  changesPerTick?: number;
}

interface MockApp {
  id: number;
  instance: string;
  proid: string;
  state: CellAppState;
  server: string | null;
  placedAt: number | null;
  runningAt: number | null;
  endedAt: number | null;
  /** Treadmill's event data for the end: '<rc>.<signal>' (finished), the reason (aborted), 'oom' or '' (killed). */
  endData: string | null;
  /** Events that the timestamps above do not tell (a reschedule after its server went down). */
  notes: CellTraceEvent[];
}

/** mulberry32: a small, fast, seeded generator; enough for a mock. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A set with a uniformly random pick, O(1) each (array + index; removal swaps with the last). */
class Pool {
  private readonly items: string[] = [];
  private readonly index = new Map<string, number>();
  get size(): number {
    return this.items.length;
  }
  add(item: string): void {
    if (this.index.has(item)) return;
    this.index.set(item, this.items.length);
    this.items.push(item);
  }
  delete(item: string): void {
    const at = this.index.get(item);
    if (at === undefined) return;
    const last = this.items.pop()!;
    this.index.delete(item);
    if (last !== item) {
      this.items[at] = last;
      this.index.set(last, at);
    }
  }
  pick(random: () => number): string | undefined {
    return this.items.length ? this.items[Math.floor(random() * this.items.length)] : undefined;
  }
  /** A copy: the caller may delete while it walks. */
  values(): string[] {
    return [...this.items];
  }
}

const proids = ['web', 'batch', 'ml', 'infra', 'search', 'db'];
const appNames = ['frontend', 'worker', 'trainer', 'proxy', 'indexer', 'replica', 'cron', 'api'];
const partitions = ['_default', 'prod', 'batch'];
const instanceName = (id: number, proid: string, app: string) => `${proid}.${app}#${String(id).padStart(10, '0')}`;
const uniqueId = (id: number) => ((id * 2654435761) >>> 0).toString(16).toUpperCase().padStart(13, '0');
const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** The first two servers are Treadmill nodes of the mocked inventory too (mock-container-lab.ts): a placement there drills down to its containers. */
const inventoryHosts = ['rack1-n01', 'rack1-n02'];
export const mockCellHost = (index: number) => inventoryHosts[index] ?? `cell-r${String(Math.floor(index / 20) + 1).padStart(2, '0')}-n${String((index % 20) + 1).padStart(2, '0')}.mock.lab`;

/** The changes per tick, each a quarter of `changesPerTick`: a few dozen a second at four ticks a second by default. */
const defaultChangesPerTick = 8;
/** Every this many ticks a server goes down, and comes back half as many later. */
const serverCycleTicks = 80;

export function createMockCellModel(options: MockCellOptions) {
  const random = generator(options.seed ?? 19);
  const serverCount = options.servers ?? 500;
  const total = options.instances ?? 50_000;
  const epoch = options.epoch;
  const quarter = Math.max(1, Math.round((options.changesPerTick ?? defaultChangesPerTick) / 4));
  const perTick = { finish: quarter, start: quarter, place: quarter, schedule: quarter };
  const servers: CellServer[] = [];
  const apps = new Map<string, MockApp>();
  const pools = { pending: new Pool(), placed: new Pool(), running: new Pool() };
  /** Ended apps, oldest first: pruned as new ones are scheduled (the cell's size stays the same). */
  const ended: string[] = [];
  let endedHead = 0;
  const upServers = new Pool();
  let nextId = 1;
  let ticks = 0;
  let downServer: CellServer | null = null;
  const problems: CellProblem[] = [
    { path: `/servers/${mockCellHost(serverCount - 1)}`, problem: 'neither JSON nor YAML: Unexpected end of JSON input' },
    { path: '/trace/0007/web.api#0000000007,1700000000.5,master,teleported,x', problem: 'unknown event type "teleported"' },
  ];

  for (let index = 0; index < serverCount; index += 1) {
    const host = mockCellHost(index);
    const down = index === 7 || index === 311;
    servers.push({
      host,
      present: !down,
      state: down ? 'down' : index === 42 ? 'frozen' : 'up',
      since: round(epoch - 86_400 + index),
      partition: partitions[index % partitions.length]!,
      parent: `rack:r${String(Math.floor(index / 20) + 1).padStart(2, '0')}`,
      capacity: { memory: 262_144, cpu: 6400, disk: 1_048_576 },
      traits: index % 4 === 0 ? ['ssd', 'gpu'] : ['ssd'],
      blackedOut: index === 99 ? 'disk errors (mock)' : null,
      placed: 0,
    });
    if (!down && index !== 42 && index !== 99) upServers.add(host);
  }
  const serverByHost = new Map(servers.map((server) => [server.host, server]));

  const event = (app: MockApp, when: number, source: string, type: string, data: string): CellTraceEvent => {
    const parsed = parseTraceNode(`${app.instance},${when},${source},${type},${data}`);
    if (!parsed.ok) throw new Error(`mock trace event: ${parsed.problem}`);
    return parsed.event;
  };

  function newApp(): MockApp {
    const id = nextId++;
    const proid = proids[Math.floor(random() * proids.length)]!;
    const app: MockApp = { id, instance: instanceName(id, proid, appNames[id % appNames.length]!), proid, state: 'pending', server: null, placedAt: null, runningAt: null, endedAt: null, endData: null, notes: [] };
    apps.set(app.instance, app);
    pools.pending.add(app.instance);
    return app;
  }

  const setServerPlaced = (host: string | null, by: number, dirty: Set<string>) => {
    const server = host === null ? undefined : serverByHost.get(host);
    if (!server) return;
    server.placed += by;
    dirty.add(server.host);
  };

  // Each change pushes its trace events to `out`; the initial build passes none (traceOf makes them when asked).
  function place(app: MockApp, host: string, at: number, dirty: Set<string>, out?: CellTraceEvent[]): void {
    pools.pending.delete(app.instance);
    pools.placed.add(app.instance);
    Object.assign(app, { state: 'placed', server: host, placedAt: at });
    setServerPlaced(host, +1, dirty);
    out?.push(event(app, at, 'master', 'scheduled', `${host}:new`));
  }

  function start(app: MockApp, at: number, out?: CellTraceEvent[]): void {
    pools.placed.delete(app.instance);
    pools.running.add(app.instance);
    Object.assign(app, { state: 'running', runningAt: at });
    out?.push(...startEvents(app, at));
  }

  /** The node configures the container, then its service runs. */
  const startEvents = (app: MockApp, at: number) => [
    event(app, round(at - 0.5), app.server!, 'configured', uniqueId(app.id)),
    event(app, at, app.server!, 'service_running', `${uniqueId(app.id)}.${appNames[app.id % appNames.length]}`),
  ];

  /** Mostly a clean exit; now and then a signal, an abort or the OOM killer (rc > 255 means a signal). */
  function end(app: MockApp, at: number, dirty: Set<string>, out?: CellTraceEvent[]): void {
    pools.running.delete(app.instance);
    pools.placed.delete(app.instance);
    const roll = random();
    const [state, type, data]: [CellAppState, string, string] =
      roll < 0.85 ? ['finished', 'finished', `${Math.floor(random() * 3) === 0 ? 1 : 0}.0`] : roll < 0.93 ? ['finished', 'finished', '265.9'] : roll < 0.97 ? ['aborted', 'aborted', 'pid1'] : ['killed', 'killed', 'oom'];
    setServerPlaced(app.server, -1, dirty);
    Object.assign(app, { state, endedAt: at, endData: data });
    ended.push(app.instance);
    out?.push(event(app, at, app.server ?? 'master', type, data));
  }

  // The initial cell: 60% running, 30% ended, 4% placed, the rest pending; started over the six hours before `epoch`.
  for (let index = 0; index < total; index += 1) {
    const app = newApp();
    const share = index / total;
    if (share >= 0.94) continue;
    const host = upServers.pick(random)!;
    const placedAt = round(epoch - 21_600 + random() * 21_000);
    place(app, host, placedAt, new Set());
    if (share >= 0.9) continue;
    start(app, round(placedAt + 2 + random() * 30));
    if (share < 0.6) continue;
    end(app, round(app.runningAt! + 1 + random() * (epoch - app.runningAt! - 1)), new Set());
  }
  ended.sort((a, b) => apps.get(a)!.endedAt! - apps.get(b)!.endedAt!);

  function row(app: MockApp): CellApp {
    const terminal = app.state === 'finished' || app.state === 'aborted' || app.state === 'killed' || app.state === 'terminated';
    const exitMatch = app.state === 'finished' && app.endData ? /^(\d+)\.(\d+)$/.exec(app.endData) : null;
    const exit = !terminal ? null : exitMatch ? { rc: Number(exitMatch[1]), signal: Number(exitMatch[2]) } : app.endData;
    return { instance: app.instance, proid: app.proid, state: app.state, server: app.server, when: terminal ? app.endedAt : null, exit };
  }

  /** A server goes down: its apps are rescheduled (pending again), as the master does on a lost presence. */
  function serverDown(server: CellServer, at: number, dirtyApps: Set<string>, dirtyServers: Set<string>): CellTraceEvent[] {
    Object.assign(server, { present: false, state: 'down', since: at, placed: 0 });
    upServers.delete(server.host);
    dirtyServers.add(server.host);
    const events: CellTraceEvent[] = [];
    for (const pool of [pools.placed, pools.running]) {
      for (const instance of pool.values()) {
        const app = apps.get(instance)!;
        if (app.server !== server.host) continue;
        pool.delete(instance);
        pools.pending.add(instance);
        // What it did there stays in its trace; its timestamps now start again.
        app.notes = traceOf(app);
        const note = event(app, at, 'master', 'pending', `${server.host} down`);
        app.notes.push(note);
        events.push(note);
        Object.assign(app, { state: 'pending', server: null, placedAt: null, runningAt: null });
        dirtyApps.add(instance);
      }
    }
    return events;
  }

  return {
    /** The cell now, as a snapshot's rows. */
    rows(): { servers: CellServer[]; apps: CellApp[]; problems: CellProblem[]; traceEvents: number } {
      const appRows: CellApp[] = [];
      let events = 0;
      for (const app of apps.values()) {
        appRows.push(row(app));
        events += app.notes.length + (app.placedAt === null ? 0 : 1) + (app.runningAt === null ? 0 : 2) + (app.endedAt === null ? 0 : 1);
      }
      return { servers: servers.map((server) => ({ ...server, traits: [...server.traits], capacity: { ...server.capacity } })), apps: appRows, problems: [...problems], traceEvents: events };
    },

    trace(instance: string): CellTraceEvent[] {
      const app = apps.get(instance);
      return app ? traceOf(app) : [];
    },

    /** One step of the cell's life at time `at` (seconds): what changed, as a delta carries it. */
    tick(at: number): CellChanges {
      ticks += 1;
      const dirtyApps = new Set<string>();
      const dirtyServers = new Set<string>();
      const events: CellTraceEvent[] = [];
      const removed: string[] = [];
      for (let n = 0; n < perTick.finish; n += 1) {
        const instance = pools.running.pick(random);
        if (!instance) continue;
        end(apps.get(instance)!, at, dirtyServers, events);
        dirtyApps.add(instance);
      }
      for (let n = 0; n < perTick.start; n += 1) {
        const instance = pools.placed.pick(random);
        if (!instance) continue;
        start(apps.get(instance)!, at, events);
        dirtyApps.add(instance);
      }
      for (let n = 0; n < perTick.place; n += 1) {
        const instance = pools.pending.pick(random);
        const host = upServers.pick(random);
        if (!instance || !host) continue;
        place(apps.get(instance)!, host, at, dirtyServers, events);
        dirtyApps.add(instance);
      }
      for (let n = 0; n < perTick.schedule; n += 1) {
        dirtyApps.add(newApp().instance);
        // Treadmill prunes /finished: the oldest ended app leaves as a new one comes.
        const oldest = ended[endedHead++];
        if (oldest !== undefined) {
          apps.delete(oldest);
          dirtyApps.delete(oldest);
          removed.push(oldest);
        }
      }
      if (endedHead > 4096) {
        ended.splice(0, endedHead);
        endedHead = 0;
      }
      if (ticks % serverCycleTicks === 0) {
        const host = upServers.pick(random);
        if (host) events.push(...serverDown((downServer = serverByHost.get(host)!), at, dirtyApps, dirtyServers));
      } else if (ticks % serverCycleTicks === serverCycleTicks / 2 && downServer) {
        Object.assign(downServer, { present: true, state: 'up', since: at });
        upServers.add(downServer.host);
        dirtyServers.add(downServer.host);
        downServer = null;
      }
      const upserted = [...dirtyApps].flatMap((instance) => {
        const app = apps.get(instance);
        return app ? [row(app)] : [];
      });
      return {
        servers: { upserted: [...dirtyServers].map((host) => ({ ...serverByHost.get(host)! })), removed: [] },
        apps: { upserted, removed },
        events: events.sort(compareTraceEvents),
        problems: { upserted: [], removed: [] },
      };
    },

    get size() {
      return apps.size;
    },
  };

  function traceOf(app: MockApp): CellTraceEvent[] {
    const events = [...app.notes];
    if (app.placedAt !== null) events.push(event(app, app.placedAt, 'master', 'scheduled', `${app.server}:new`));
    if (app.runningAt !== null) events.push(...startEvents(app, app.runningAt));
    if (app.endedAt !== null && app.endData !== null) events.push(event(app, app.endedAt, app.server ?? 'master', app.state === 'finished' ? 'finished' : app.state, app.endData));
    return events.sort(compareTraceEvents);
  }
}

export type MockCellModel = ReturnType<typeof createMockCellModel>;
