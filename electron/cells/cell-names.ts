import { parseInstance } from '../../shared/contract/instance-name.js';
import { body as eventBody, describeEvent, type ContainerEvent } from '../containers/trace-events.js';
import type { CellTraceEvent } from '../../shared/contract/cells.js';

/** Paths of a cell's ZooKeeper that Slipway reads (zknamespace.py constants). */
export const paths = {
  servers: '/servers', // zknamespace.py: SERVERS
  presence: '/server.presence', // zknamespace.py: SERVER_PRESENCE
  placement: '/placement', // zknamespace.py: PLACEMENT
  blackedout: '/blackedout.servers', // zknamespace.py: BLACKEDOUT_SERVERS
  scheduled: '/scheduled', // zknamespace.py: SCHEDULED
  running: '/running', // zknamespace.py: RUNNING
  finished: '/finished', // zknamespace.py: FINISHED
  trace: '/trace', // zknamespace.py: TRACE
} as const;

export const traceShardCount = 256; // zknamespace.py: TRACE_SHARDS_COUNT

/** zknamespace.py:_trace_shards: '{:04X}'.format(idx) for idx in range(256). */
export function traceShards(): string[] {
  return Array.from({ length: traceShardCount }, (_, index) => index.toString(16).toUpperCase().padStart(4, '0'));
}

/** zknamespace.py:_path_trace: the digits after '#', as an integer, mod 256, as '{:04X}'. Null for a name that is not an instance. */
export function traceShardOf(instance: string): string | null {
  const parsed = parseInstance(instance);
  if (!parsed) return null;
  // The id may exceed 2^53 in theory; BigInt keeps the modulo exact as Python's int does.
  return Number(BigInt(parsed.instanceId) % BigInt(traceShardCount)).toString(16).toUpperCase().padStart(4, '0');
}

/** presence.py:parse_server: '<host>#<presence id>' (register_server's ephemeral sequential node) or a bare host. */
export function presenceHost(node: string): string {
  const hash = node.indexOf('#');
  return hash < 0 ? node : node.slice(0, hash);
}

export type TraceNodeParse = { ok: true; event: CellTraceEvent } | { ok: false; problem: string };

/**
 * trace/app/zk.py:publish writes '<instance>,<when>,<host>,<event_type>,<event_data>' (z.path.trace joins the
 * instance and '%s,%s,%s,%s'); prune_trace_evictions splits it at every ',' into exactly five. `when` is
 * str(time.time()) (trace/__init__.py:post_zk) or the event's own timestamp: a float as text, sorted as a number.
 */
export function parseTraceNode(node: string): TraceNodeParse {
  const checked = checkTraceNode(node);
  if (typeof checked === 'string') return { ok: false, problem: checked };
  const { instance, when, source, type, data, decoded } = checked;
  const text = describeEvent({ ...decoded, time: when, instance, file: node } as ContainerEvent);
  return { ok: true, event: { instance, when, source, type, data, text, node } };
}

/**
 * What is wrong with a trace node's name, or null: the checks of `parseTraceNode` without the event
 * it builds. A cell's first read counts and checks 200,000 names; events are built only for the names
 * that come later (deltas) and for the one instance a trace is asked of.
 */
export function traceNodeProblem(node: string): string | null {
  const checked = checkTraceNode(node);
  return typeof checked === 'string' ? checked : null;
}

function checkTraceNode(node: string) {
  const parts = node.split(',');
  if (parts.length !== 5) return 'a trace node is <instance>,<when>,<source>,<type>,<data>';
  const [instance, whenText, source, type, data] = parts as [string, string, string, string, string];
  if (!parseInstance(instance)) return `"${instance}" is not an instance name`;
  const when = Number(whenText);
  if (whenText.trim() === '' || !Number.isFinite(when)) return `"${whenText}" is not a time`;
  // trace/app/events.py:AppTraceEvent.from_data: each type's class parses its own event_data (shared with the node reader).
  const decoded = eventBody(type, data);
  if (typeof decoded === 'string') return decoded;
  return { instance, when, source, type, data, decoded };
}

/** Events in Treadmill's order: `when` as a number, then the node name (trace/_zk.py sorts names as strings). */
export function compareTraceEvents(a: CellTraceEvent, b: CellTraceEvent): number {
  return a.when - b.when || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
}
