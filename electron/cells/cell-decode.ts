import { inflateSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';

/** A decoded node, or why it could not be decoded (a problem of the cell, never fatal). */
export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

const fail = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

/**
 * zkutils.py:get_with_metadata: JSON first, then YAML for values older clients wrote. An empty
 * node reads as null (zkutils.py:_payload stores None as b'').
 */
export function decodeData(data: Buffer | null | undefined): Decoded<unknown> {
  if (!data || data.length === 0) return { ok: true, value: null };
  const text = data.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    try {
      return { ok: true, value: parseYaml(text) as unknown };
    } catch (error) {
      return fail(`neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** scheduler/__init__.py size_to_bytes / cpu units: "NNNM" / "NNNG" / "NNNK" as MiB; "NNN%" as percent. */
function unit(value: unknown, kind: 'size' | 'cpu'): number | null {
  const raw = typeof value === 'number' ? String(value) : text(value);
  if (raw === null) return null;
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT%]?)$/i.exec(raw.trim());
  if (!match) return null;
  const number = Number(match[1]);
  const suffix = match[2]!.toUpperCase();
  if (kind === 'cpu') return suffix === '%' || suffix === '' ? number : null;
  const mib: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024, '': 1 / (1024 * 1024) };
  return suffix in mib ? number * mib[suffix]! : null;
}

export interface ServerRecord {
  partition: string | null;
  parent: string | null;
  capacity: { memory: number | null; cpu: number | null; disk: number | null };
  traits: string[];
}

/** /servers/<host>: {parent, partition, memory, cpu, disk, traits, …} (presence.py:register_server updates it with node info). */
export function decodeServer(data: Buffer | null): Decoded<ServerRecord> {
  const decoded = decodeData(data);
  if (!decoded.ok) return decoded;
  if (decoded.value === null) return { ok: true, value: { partition: null, parent: null, capacity: { memory: null, cpu: null, disk: null }, traits: [] } };
  if (!isRecord(decoded.value)) return fail('server data is not an object');
  const server = decoded.value;
  const traits = Array.isArray(server.traits) ? server.traits.filter((trait): trait is string => typeof trait === 'string') : [];
  return {
    ok: true,
    value: {
      partition: text(server.partition),
      parent: text(server.parent),
      capacity: { memory: unit(server.memory, 'size'), cpu: unit(server.cpu, 'cpu'), disk: unit(server.disk, 'size') },
      traits,
    },
  };
}

export interface PlacementState {
  state: 'up' | 'down' | 'frozen';
  since: number | null;
}

/** scheduler/master.py:Master._record_server_state: /placement/<host> = {'state': state.value, 'since': since}. */
export function decodePlacementState(data: Buffer | null): Decoded<PlacementState | null> {
  const decoded = decodeData(data);
  if (!decoded.ok) return decoded;
  // master.py:init_schedule: ensure_exists makes the node empty before any state is recorded.
  if (decoded.value === null) return { ok: true, value: null };
  if (!isRecord(decoded.value)) return fail('placement state is not an object');
  const { state, since } = decoded.value;
  if (state !== 'up' && state !== 'down' && state !== 'frozen') return fail(`placement state "${String(state)}" is not up, down or frozen`);
  return { ok: true, value: { state, since: typeof since === 'number' ? since : null } };
}

export type PlacementEntry = [instance: string, before: string | null, expBefore: number | null, after: string | null, expAfter: number | null];

/**
 * scheduler/master.py:Master._save_placement: /placement holds zlib.compress(json.dumps(placement)), the
 * list of [app, before, exp_before, after, exp_after] from cell.schedule(). Older cells stored it as plain YAML.
 */
export function decodePlacementBlob(data: Buffer | null): Decoded<PlacementEntry[]> {
  if (!data || data.length === 0) return { ok: true, value: [] };
  let plain: Buffer;
  try {
    plain = inflateSync(data);
  } catch {
    // A zlib stream starts with 0x78; anything else may be an older cell's YAML.
    if (data[0] === 0x78) return fail('the placement blob is not valid zlib data');
    plain = data;
  }
  const decoded = decodeData(plain);
  if (!decoded.ok) return fail(`the placement blob is neither zlib nor YAML: ${decoded.problem}`);
  if (!Array.isArray(decoded.value)) return fail('the placement blob is not a list');
  const entries: PlacementEntry[] = [];
  for (const row of decoded.value) {
    if (!Array.isArray(row) || row.length !== 5 || typeof row[0] !== 'string') return fail('a placement entry is not [app, before, exp_before, after, exp_after]');
    const [app, before, expBefore, after, expAfter] = row as unknown[];
    const host = (value: unknown) => (typeof value === 'string' ? value : null);
    const time = (value: unknown) => (typeof value === 'number' ? value : null);
    entries.push([app as string, host(before), time(expBefore), host(after), time(expAfter)]);
  }
  return { ok: true, value: entries };
}

export interface FinishedRecord {
  state: 'finished' | 'aborted' | 'killed' | 'terminated';
  when: number | null;
  host: string | null;
  data: string | null;
}

/**
 * trace/app/zk.py:publish writes {'state': event_type, 'when': when, 'host': hostname, 'data': event_data} for
 * aborted/killed/finished (`when` is the event's time as text); scheduler/master.py:remove_app and
 * _unschedule_evicted write 'terminated' with a float `when` and data None or 'schedule_once'.
 */
export function decodeFinished(data: Buffer | null): Decoded<FinishedRecord> {
  const decoded = decodeData(data);
  if (!decoded.ok) return decoded;
  if (!isRecord(decoded.value)) return fail('finished data is not an object');
  const { state, when, host, data: detail } = decoded.value;
  if (state !== 'finished' && state !== 'aborted' && state !== 'killed' && state !== 'terminated') return fail(`finished state "${String(state)}" is unknown`);
  const whenNumber = typeof when === 'number' ? when : typeof when === 'string' && when.trim() !== '' && Number.isFinite(Number(when)) ? Number(when) : null;
  return { ok: true, value: { state, when: whenNumber, host: text(host), data: detail === null || detail === undefined ? null : String(detail) } };
}

/** trace/app/events.py:FinishedTraceEvent: event_data '<rc>.<signal>'; cli/show.py:_show_finished reads rc > 255 as a signal. */
export function finishedExit(data: string | null): { rc: number; signal: number } | null {
  const match = data === null ? null : /^(-?\d+)\.(-?\d+)$/.exec(data);
  return match ? { rc: Number(match[1]), signal: Number(match[2]) } : null;
}

/** presence.py:EndpointPresence.register_running: /running/<instance> holds the hostname as plain bytes. */
export function decodeRunningHost(data: Buffer | null): Decoded<string> {
  const host = data?.toString('utf8').trim() ?? '';
  return host ? { ok: true, value: host } : fail('running node has no host');
}
