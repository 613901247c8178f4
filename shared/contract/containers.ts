import { z } from 'zod';
import { command } from './define.js';
import { documentText } from './limits.js';

/** Containers on lab nodes laid out as Treadmill's node root (apps/, running/, cleanup/, appevents/ …). */
// placed: in the node's cache/, not configured yet; exited: a tombstone the monitor has not handled yet;
// archived: its logs archived and its directory gone (what Treadmill's own local API calls finished).
export const ContainerState = z.enum(['placed', 'configured', 'running', 'exited', 'finished', 'killed', 'aborted', 'terminated', 'cleanup', 'archived']);
export type ContainerState = z.infer<typeof ContainerState>;

export const ContainerRow = z.object({
  node: z.string(),
  /** `proid.app-0000000001-0000000ID1234`; null for a placed instance (no container yet). */
  unique: z.string().nullable(),
  /** `proid.app#0000000001` */
  instance: z.string(),
  app: z.string(),
  proid: z.string(),
  state: ContainerState,
  /** Treadmill's words: "return code: 3", "signal: SIGKILL", "out of memory", "aborted: image". */
  summary: z.string(),
  /** Why it was aborted, as recorded (`image`, `pid1`…); null when not aborted or none was recorded. */
  reason: z.string().nullable(),
  /** What the abort recorded beside its reason (any JSON; the old layout's text). */
  abortedPayload: z.unknown(),
  /** The exit: the service, its return code (above 255: killed by `signal`), the signal's name, when (seconds). */
  service: z.string().nullable(),
  exitCode: z.number().nullable(),
  signal: z.number().nullable(),
  signalName: z.string().nullable(),
  exitedAt: z.number().nullable(),
  /** A cleanup/ link names it (queued); `cleaning`: its cleanup runs now (cleaning/). */
  cleanupPending: z.boolean(),
  cleaning: z.boolean(),
  /** A tombstone names it: an exit the node's monitor has not handled yet. */
  tombstone: z.boolean(),
  /** In the node's cache/: placed by the scheduler. */
  placed: z.boolean(),
  /** Its logs are in archives/. */
  archived: z.boolean(),
  environment: z.string().nullable(),
  memory: z.string().nullable(),
  cpu: z.string().nullable(),
  disk: z.string().nullable(),
  services: z.array(z.string()),
  /** When the container's directory last changed (ISO time): its age. A plain string: a datetime regex per row costs 10,000 regex runs a scan. */
  changedAt: z.string(),
  problems: z.array(z.string()),
});
export type ContainerRow = z.infer<typeof ContainerRow>;

export const ContainerEventLine = z.object({
  at: z.iso.datetime(),
  instance: z.string(),
  type: z.string(),
  /** Slipway's short words for one instance's timeline: "service web_server exited: return code: 3". */
  text: z.string(),
  /** As `treadmill trace` prints it after `<time> - ` (trace/app/printer.py), word for word: "proid.app#1/<unique id>/service/web exited, return code: 3". */
  trace: z.string(),
  /** What the event file holds beside its name: a finish's exit info, an abort's payload. */
  details: z.string().nullable(),
});
export type ContainerEventLine = z.infer<typeof ContainerEventLine>;

export const ContainerScan = z.object({
  node: z.string(),
  root: z.string(),
  scannedAt: z.iso.datetime(),
  ms: z.number().nonnegative(),
  /** What the node sent for this scan (compressed, as on the wire): a rescan that finds little sends little. */
  bytes: z.number().int().nonnegative().optional(),
  rows: z.array(ContainerRow),
  /** The node could not be read at all. */
  error: z.string().nullable(),
  /** Malformed files and directories: reported, never fatal. */
  problems: z.array(z.string()),
  /**
   * How the node was read: `watch`, the folders its watcher (inotifywait) named, or nothing when none changed; a shell
   * rescan, `delta` or `full`, with why the node is not watched (inotifywait missing, the watch limit, an overflow).
   */
  read: z.object({ via: z.enum(['watch', 'delta', 'full']), reason: z.string().optional() }).optional(),
});
export type ContainerScan = z.infer<typeof ContainerScan>;

const nullable = (value: unknown, type: 'string' | 'number') => value === null || typeof value === type;
const strings = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * The same row checked by hand, field by field (about a microsecond): a
 * snapshot of 10,000 rows through zod's interpreted object checks (the CSP
 * forbids its compiled ones) blocks the page for hundreds of milliseconds.
 */
export function isContainerRow(value: unknown): value is ContainerRow {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.node === 'string' && nullable(r.unique, 'string') && typeof r.instance === 'string' && typeof r.app === 'string' && typeof r.proid === 'string' &&
    typeof r.state === 'string' && (ContainerState.options as readonly string[]).includes(r.state) && typeof r.summary === 'string' && nullable(r.reason, 'string') &&
    'abortedPayload' in r && nullable(r.service, 'string') && nullable(r.exitCode, 'number') && nullable(r.signal, 'number') && nullable(r.signalName, 'string') &&
    nullable(r.exitedAt, 'number') && typeof r.cleanupPending === 'boolean' && typeof r.cleaning === 'boolean' && typeof r.tombstone === 'boolean' &&
    typeof r.placed === 'boolean' && typeof r.archived === 'boolean' && nullable(r.environment, 'string') && nullable(r.memory, 'string') &&
    nullable(r.cpu, 'string') && nullable(r.disk, 'string') && strings(r.services) && typeof r.changedAt === 'string' && strings(r.problems)
  );
}

/** A row as a delta carries it: checked by `isContainerRow`, once per row, no zod object per row. */
const WireRow = z.custom<ContainerRow>(isContainerRow, 'not a container row');

/** A row's key within its node: a placed instance has no unique name yet, and its container later is another row. */
export const ContainerRowKey = z.object({ instance: z.string(), unique: z.string().nullable() });
export type ContainerRowKey = z.infer<typeof ContainerRowKey>;

/** What a scan says of its node besides rows: small, sent with every delta. */
export const ContainerScanMeta = ContainerScan.omit({ rows: true });
export type ContainerScanMeta = z.infer<typeof ContainerScanMeta>;

/** Resync past this many rows in one delta: a snapshot costs no more then. */
export const maxDeltaRows = 2_000;

/**
 * One node's rows for one subscribed client: a snapshot, then deltas, each
 * numbered (`seq`, per node and subscription, +1 each). A client that sees a
 * gap asks for a snapshot again (`containers.subscribe`).
 */
export const ContainerDelta = z.union([
  z.object({ node: z.string(), seq: z.number().int().positive(), snapshot: ContainerScanMeta.extend({ rows: z.array(WireRow) }) }).strict(),
  z
    .object({
      node: z.string(),
      seq: z.number().int().positive(),
      scan: ContainerScanMeta,
      added: z.array(WireRow).max(maxDeltaRows),
      changed: z.array(WireRow).max(maxDeltaRows),
      removed: z.array(ContainerRowKey).max(maxDeltaRows),
    })
    .strict(),
]);
export type ContainerDelta = z.infer<typeof ContainerDelta>;

export const containerCommands = {
  /** Every container on every Treadmill node (nodes labelled `treadmill` or `treadmill=<root>`), scanned now. */
  'containers.list': command(z.object({ nodes: z.array(z.string()).optional() }).strict(), z.array(ContainerScan)),
  'containers.trace': command(z.object({ node: z.string(), instance: z.string() }).strict(), z.array(ContainerEventLine)),
  /**
   * This client follows these Treadmill nodes (all when none are named): each
   * node's snapshot comes as a `containers.delta` client event, then its deltas
   * as rescans find changes. Subscribing again sends fresh snapshots (a gap's refetch).
   * Nodes are rescanned while some client follows them, and only then.
   */
  'containers.subscribe': command(z.object({ nodes: z.array(z.string()).optional() }).strict(), z.object({ nodes: z.array(z.string()) })),
  'containers.unsubscribe': command(z.object({}).strict(), z.object({ unsubscribed: z.boolean() })),
};

export const containerEvents = {
  'containers.events': z.object({ node: z.string(), events: z.array(ContainerEventLine) }),
};

/** Sent to the subscribed client only (see `clientEvents` in index.ts). */
export const containerClientEvents = {
  'containers.delta': ContainerDelta,
};

/** A container manifest as Treadmill validates it, plus the Slipway-built image its root is made from. */
export const ContainerManifest = z
  .object({
    /** The application name; the instance becomes `<proid>.<name>#<instance id>`. */
    // Never a leading "-" (an option to the tools that see it) nor "..": it becomes part of paths and links on the node.
    name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be an application name').refine((name) => !name.includes('..'), 'must be an application name'),
    proid: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'must be a user name (the proid)'),
    environment: z.enum(['dev', 'qa', 'uat', 'prod']),
    cpu: z.string().regex(/^\d+%$/, "must be a share such as '100%'"),
    memory: z.string().regex(/^\d+[KMG]$/i, "must be a size such as '100M'"),
    disk: z.string().regex(/^\d+[KMG]$/i, "must be a size such as '1G'"),
    /** The raw ext image on the node that becomes the read-only lower layer of the root. */
    image: z.string().refine((p) => p.startsWith('/'), 'must be an absolute path on the node'),
    services: z
      .array(z.object({ name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a service name'), command: z.string().min(1), restart: z.object({ limit: z.number().int(), interval: z.number() }).partial().optional() }))
      .length(1, 'one service per container (several are not supported yet)'),
    environ: z.array(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), value: z.string() })).default([]),
  })
  .strict();
export type ContainerManifest = z.output<typeof ContainerManifest>;

export const ContainerAction = z.enum(['start', 'stop', 'terminate', 'remove']);
export type ContainerAction = z.infer<typeof ContainerAction>;

export const containerActionCommands = {
  /** Treadmill's configure on a node: the container directory, created down, with a `configured` event. */
  'containers.configure': command(z.object({ node: z.string(), manifest: documentText }).strict(), z.object({ instance: z.string(), unique: z.string() })),
  /** start, stop, terminate (running link to cleanup/, data/terminated), remove (after cleanup). */
  'containers.act': command(z.object({ node: z.string(), instance: z.string(), action: ContainerAction }).strict(), z.object({ done: z.string() })),
};

/** A container's log (s6-log's `log/main/current`), read on from a byte offset: the console tails it live. */
export const containerLogCommands = {
  'containers.logs': command(
    z.object({ node: z.string(), instance: z.string(), offset: z.number().int().nonnegative() }).strict(),
    z.object({
      /** New text since `offset`, whole lines only (a partial last line waits for the next read). */
      text: z.string(),
      /** Where the next read starts. */
      offset: z.number().int().nonnegative(),
      /** The log was rotated or cut since `offset`: reading started again from its beginning. */
      restarted: z.boolean(),
    }),
  ),
};
