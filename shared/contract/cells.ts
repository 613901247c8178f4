import { z } from 'zod';
import { command } from './define.js';

/**
 * A Treadmill cell read from its ZooKeeper: servers, apps, trace events and
 * the problems met reading them. The backend sends one snapshot, then deltas
 * numbered `seq` (+1 each); a client that sees a gap asks for a new snapshot.
 */

/** How a server looks to the scheduler: no presence node → down, else the state the master recorded in /placement/<host>. */
export const CellServerState = z.enum(['up', 'down', 'frozen']);
export type CellServerState = z.infer<typeof CellServerState>;

export const CellServer = z.object({
  host: z.string(),
  /** An ephemeral /server.presence/<host>#<seq> node exists: the node's session is alive. */
  present: z.boolean(),
  state: CellServerState,
  /** `since` of /placement/<host> (seconds), null when the master has not recorded a state. */
  since: z.number().nullable(),
  partition: z.string().nullable(),
  parent: z.string().nullable(),
  /** Capacity as Treadmill stores it ("NNNM", "NNN%") and in numbers: MiB, percent of a core, MiB. */
  capacity: z.object({ memory: z.number().nullable(), cpu: z.number().nullable(), disk: z.number().nullable() }),
  traits: z.array(z.string()),
  blackedOut: z.string().nullable(),
  placed: z.number().int().nonnegative(),
});
export type CellServer = z.infer<typeof CellServer>;

export const CellAppState = z.enum(['pending', 'placed', 'running', 'finished', 'aborted', 'killed', 'terminated']);
export type CellAppState = z.infer<typeof CellAppState>;

export const CellApp = z.object({
  instance: z.string(),
  proid: z.string(),
  state: CellAppState,
  /** Where it is placed or runs, or where it ended (`host` of /finished, null for a terminated never-placed app). */
  server: z.string().nullable(),
  /** `when` of /finished/<instance> (seconds), else null. */
  when: z.number().nullable(),
  /** For finished: the exit as Treadmill reports it (rc > 255 means killed by `signal`); else the raw `data` text. */
  exit: z.union([z.object({ rc: z.number().int(), signal: z.number().int() }), z.string()]).nullable(),
});
export type CellApp = z.infer<typeof CellApp>;

const appStates: ReadonlySet<string> = new Set(CellAppState.options);
const nullableOf = (value: unknown, type: 'string' | 'number') => value === null || typeof value === type;

/**
 * The same row checked by hand (about a microsecond): 50,000 rows through zod's interpreted
 * object checks (the CSP forbids its compiled ones) would block the page for hundreds of ms.
 */
export function isCellApp(value: unknown): value is CellApp {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const exit = r.exit as Record<string, unknown> | string | null | undefined;
  const exitOk = exit === null || typeof exit === 'string' || (typeof exit === 'object' && exit !== undefined && Number.isInteger(exit.rc) && Number.isInteger(exit.signal));
  return typeof r.instance === 'string' && typeof r.proid === 'string' && typeof r.state === 'string' && appStates.has(r.state) && nullableOf(r.server, 'string') && nullableOf(r.when, 'number') && exitOk;
}

/** An app row as snapshots and deltas carry it: checked by `isCellApp`, no zod object per row. */
const WireCellApp = z.custom<CellApp>(isCellApp, 'not a cell app row');

export const CellTraceEvent = z.object({
  instance: z.string(),
  when: z.number(),
  source: z.string(),
  type: z.string(),
  data: z.string(),
  /** Slipway's short words for the event (shared with the node reader). */
  text: z.string(),
  /** The node name, unique within the instance's shard. */
  node: z.string(),
});
export type CellTraceEvent = z.infer<typeof CellTraceEvent>;

export const CellProblem = z.object({ path: z.string(), problem: z.string() });
export type CellProblem = z.infer<typeof CellProblem>;

export const CellConnection = z.object({
  state: z.enum(['connecting', 'connected', 'disconnected', 'expired', 'unreachable', 'closed']),
  /** When this state began (ms since the epoch). */
  since: z.number(),
  /** The last time the whole cell was read without a connection error; null before the first snapshot. */
  lastGoodRead: z.number().nullable(),
  /**
   * The rows are what was read at `lastGoodRead`, not now: the session is lost (disconnected, expired,
   * unreachable; the client keeps trying) or the cell is being read again after it came back.
   */
  stale: z.boolean(),
  error: z.string().nullable(),
});
export type CellConnection = z.infer<typeof CellConnection>;

export const CellSnapshot = z.object({
  cell: z.string(),
  seq: z.number().int().positive(),
  connection: CellConnection,
  servers: z.array(CellServer),
  apps: z.array(WireCellApp),
  problems: z.array(CellProblem),
  traceEvents: z.number().int().nonnegative(),
});
export type CellSnapshot = z.infer<typeof CellSnapshot>;

export const maxCellDeltaRows = 5_000;

export const CellDelta = z
  .object({
    cell: z.string(),
    seq: z.number().int().positive(),
    connection: CellConnection.optional(),
    servers: z.object({ upserted: z.array(CellServer).max(maxCellDeltaRows), removed: z.array(z.string()).max(maxCellDeltaRows) }),
    apps: z.object({ upserted: z.array(WireCellApp).max(maxCellDeltaRows), removed: z.array(z.string()).max(maxCellDeltaRows) }),
    events: z.array(CellTraceEvent).max(maxCellDeltaRows),
    problems: z.object({ upserted: z.array(CellProblem).max(maxCellDeltaRows), removed: z.array(z.string()).max(maxCellDeltaRows) }),
  })
  .strict();
export type CellDelta = z.infer<typeof CellDelta>;

/** `zookeeper://[user@]host:port[,host:port…][/chroot]`, as Treadmill's cells name their ZooKeeper. */
export const CellUrlText = z.string().min(1).max(2000);

/** A cell as the operator named it (the registry), and its connection while Slipway reads it. */
export const CellListing = z.object({
  name: z.string(),
  url: z.string(),
  /** Null when no client follows it (no session is open). */
  connection: CellConnection.nullable(),
  subscribers: z.number().int().nonnegative(),
});
export type CellListing = z.infer<typeof CellListing>;

const cellName = z.string().min(1).max(63);

/**
 * One cell's stream for one subscribed client (`cells.delta`): a snapshot, then deltas
 * numbered from it, `seq` +1 each. A snapshot may come again (the cell was first read
 * whole after the client subscribed, or the client subscribed again): it replaces what
 * the client holds, and the deltas after it follow its `seq`. A client that sees a gap
 * asks for a new snapshot (`cells.subscribe` again).
 */
export const CellStreamEvent = z.discriminatedUnion('kind', [CellSnapshot.extend({ kind: z.literal('snapshot') }).strict(), CellDelta.extend({ kind: z.literal('delta') }).strict()]);
export type CellStreamEvent = z.infer<typeof CellStreamEvent>;

export const cellCommands = {
  /** The cells in the registry (cells.yaml), with the live connection of those being read. */
  'cells.list': command(z.object({}).strict(), z.array(CellListing)),
  /** Adds or replaces a cell by its ZooKeeper URL (checked; nothing is written to the cell). */
  'cells.add': command(z.object({ name: cellName, url: CellUrlText }).strict(), z.object({ name: z.string(), url: z.string() })),
  /** Forgets a cell; its session closes and its subscribers get a last delta saying so. */
  'cells.remove': command(z.object({ name: cellName }).strict(), z.object({ removed: z.boolean() })),
  /**
   * This client follows a cell (a name in the registry): its snapshot comes as the first
   * `cells.delta` client event (ordered with the deltas on one channel), then its deltas.
   * Subscribing again sends a fresh snapshot (a gap's refetch). One session per cell
   * whatever the number of clients, closed a while after the last one leaves.
   */
  'cells.subscribe': command(z.object({ cell: cellName }).strict(), z.object({ cell: z.string(), seq: z.number().int().positive() })),
  /** Stops following one cell, or every cell when none is named. */
  'cells.unsubscribe': command(z.object({ cell: cellName.optional() }).strict(), z.object({ unsubscribed: z.boolean() })),
  /** One instance's trace events in Treadmill's order (the cell is read first when nobody follows it). */
  'cells.trace': command(z.object({ cell: cellName, instance: z.string().min(1).max(512) }).strict(), z.array(CellTraceEvent)),
};

/** Sent to the subscribed client only (see `clientEvents` in index.ts). */
export const cellClientEvents = {
  'cells.delta': CellStreamEvent,
};
