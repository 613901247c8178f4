import { z } from 'zod';

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
  error: z.string().nullable(),
});
export type CellConnection = z.infer<typeof CellConnection>;

export const CellSnapshot = z.object({
  cell: z.string(),
  seq: z.number().int().positive(),
  connection: CellConnection,
  servers: z.array(CellServer),
  apps: z.array(CellApp),
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
    apps: z.object({ upserted: z.array(CellApp).max(maxCellDeltaRows), removed: z.array(z.string()).max(maxCellDeltaRows) }),
    events: z.array(CellTraceEvent).max(maxCellDeltaRows),
    problems: z.object({ upserted: z.array(CellProblem).max(maxCellDeltaRows), removed: z.array(z.string()).max(maxCellDeltaRows) }),
  })
  .strict();
export type CellDelta = z.infer<typeof CellDelta>;

/** `zookeeper://[user@]host:port[,host:port…][/chroot]`, as Treadmill's cells name their ZooKeeper. */
export const CellUrlText = z.string().min(1).max(2000);
