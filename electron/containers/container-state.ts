import { parse as parseYaml } from 'yaml';
import type { ContainerState } from '../../shared/contract/containers.js';
import { exitSummary, signalName } from './trace-events.js';

export type { ContainerState };

/** An exit as Treadmill records it (tombstone name, exitinfo): rc above 255 means killed by `signal`. */
export interface TombstoneExit {
  time: number;
  rc: number;
  signal: number;
}

/** What a scan found in one container's directory, and which links and tombstones name it. */
export interface ContainerFacts {
  /** running/<instance> links here. */
  running: boolean;
  /** A link in cleanup/ (by instance or by unique name) names it: cleanup is queued. */
  cleanup: boolean;
  /** A link in cleaning/ names it: its cleanup service runs now. */
  cleaning: boolean;
  /** data/aborted: its contents ('' for an empty file), or null when there is none. */
  aborted: string | null;
  oom: boolean;
  terminated: boolean;
  /** data/exitinfo: its contents ('' for an empty file), or null. */
  exitinfo: string | null;
  /** The 2016-2017 layout: a top-level exitinfo (YAML) and aborted (plain text). */
  oldExitinfo: string | null;
  oldAborted: string | null;
  /** tombstones/running/<instance>,…: the container's supervisor ended and the monitor has not handled it yet. */
  tombstone: TombstoneExit | null;
  /** tombstones/services/<unique>,<service>,…: a service went past its restart limit; the container goes down. */
  serviceTombstone: (TombstoneExit & { service: string }) | null;
}

export interface ContainerExit {
  service: string | null;
  rc: number;
  signal: number;
  signalName: string | null;
  timestamp: number | null;
}

export interface ContainerStatus {
  state: ContainerState;
  /** Treadmill's words (cli/show.py): "return code: 3", "signal: SIGTERM", "out of memory", and "aborted: <reason>". */
  summary: string;
  exit: ContainerExit | null;
  /** `why` null when Treadmill recorded none (shown as unknown). */
  aborted: { why: string | null; payload: unknown } | null;
  cleanupPending: boolean;
  cleaning: boolean;
  tombstone: boolean;
  problems: string[];
}

const abortedUnknown = { why: 'unknown', payload: null };

/** JSON as Treadmill's json.load reads it: a ValueError (empty, half-written, not JSON) is `failed`. */
function loadJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const numberOr = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

function exitOf(service: unknown, rc: number, signal: number, timestamp: unknown): ContainerExit {
  return { service: typeof service === 'string' ? service : null, rc, signal, signalName: rc > 255 ? signalName(signal) : null, timestamp: typeof timestamp === 'number' ? timestamp : null };
}

/**
 * data/aborted as runtime/linux/_finish.py:_collect_finish_info reads it:
 * JSON, and anything json.load refuses (empty, plain text) is ABORTED_UNKNOWN
 * (appcfg/abort.py); JSON null is "not aborted"; an object without `why` has
 * none (printed as unknown).
 */
function readAborted(text: string, problems: string[]): ContainerStatus['aborted'] {
  const json = loadJson(text);
  if (!json.ok) return abortedUnknown;
  if (json.value === null) return null;
  if (!isObject(json.value)) {
    // Treadmill's finish calls .get on it and fails: its cleanup retries and then marks the node down.
    problems.push('data/aborted is JSON but not an object: Treadmill\u2019s finish fails on it');
    return abortedUnknown;
  }
  return { why: typeof json.value.why === 'string' ? json.value.why : null, payload: json.value.payload ?? null };
}

/**
 * data/exitinfo as _finish.py reads it: JSON written by monitor.py's
 * MonitorContainerDown (not atomically), anything json.load refuses read as
 * {}; _post_exit_event defaults both return_code and signal to 256.
 */
function readExitinfo(text: string, problems: string[]): ContainerExit {
  const json = loadJson(text);
  if (!json.ok && text.trim() !== '') problems.push('exitinfo is not valid JSON: read as Treadmill reads it, with no exit code (256)');
  if (json.ok && !isObject(json.value)) problems.push('exitinfo is JSON but not an object: Treadmill\u2019s finish fails on it');
  const info = json.ok && isObject(json.value) ? json.value : {};
  return exitOf(info.service, numberOr(info.return_code, 256), numberOr(info.signal, 256), info.timestamp);
}

/**
 * The 2016-2017 layout (presence.py:ServicePresence.exit_app wrote
 * yaml.dump({service, rc, sig, killed, oom, time, …}); appmgr/finish.py:
 * _collect_exit_info read it with yaml.load, rc and sig defaulting to 256;
 * appmgr/abort.py:flag_aborted wrote str(exc) as plain text, posted as the
 * payload with no reason). An empty exitinfo loads as None: no exit.
 */
function readOldExitinfo(text: string, problems: string[]): (ContainerExit & { killed: boolean; oom: boolean }) | null {
  let info: unknown;
  try {
    info = parseYaml(text);
  } catch (error) {
    problems.push(`exitinfo is not valid YAML (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
  if (!isObject(info)) return null;
  return { ...exitOf(info.service, numberOr(info.rc, 256), numberOr(info.sig, 256), info.time), killed: info.killed === true, oom: info.oom === true };
}

/**
 * The container's state with Treadmill's precedence (_finish.py:finish):
 * aborted, then oom, then terminated, then exitinfo; the old layout likewise.
 * Without finish files: exited (a tombstone the monitor has not handled),
 * running, cleanup, or configured. A damaged file is reported, never fatal.
 */
export function containerStatus(facts: ContainerFacts): ContainerStatus {
  const problems: string[] = [];
  const base = { exit: null, aborted: null, cleanupPending: facts.cleanup, cleaning: facts.cleaning, tombstone: facts.tombstone !== null || facts.serviceTombstone !== null, problems };
  const aborted = facts.aborted === null ? null : readAborted(facts.aborted, problems);
  if (aborted) return { ...base, state: 'aborted', summary: `aborted: ${aborted.why ?? 'unknown'}`, aborted };
  if (facts.oom) return { ...base, state: 'killed', summary: 'out of memory' };
  // _finish.py posts no event for a terminated container: its exit info is not what ended it.
  if (facts.terminated) return { ...base, state: 'terminated', summary: 'terminated' };
  if (facts.exitinfo !== null) {
    const exit = readExitinfo(facts.exitinfo, problems);
    return { ...base, state: 'finished', summary: exitSummary(exit.rc, exit.signal), exit };
  }
  const old = facts.oldExitinfo === null ? null : readOldExitinfo(facts.oldExitinfo, problems);
  if (facts.oldAborted !== null) return { ...base, state: 'aborted', summary: 'aborted: unknown', aborted: { why: null, payload: facts.oldAborted.trim() || null }, exit: old };
  if (old?.killed) return { ...base, state: 'killed', summary: old.oom ? 'out of memory' : 'killed', exit: old };
  if (old) return { ...base, state: 'finished', summary: exitSummary(old.rc, old.signal), exit: old };
  if (facts.tombstone) {
    const { rc, signal, time } = facts.tombstone;
    return { ...base, state: 'exited', summary: `exited, not yet processed: ${exitSummary(rc, signal)}`, exit: exitOf(null, rc, signal, time) };
  }
  if (facts.running) {
    const service = facts.serviceTombstone;
    if (!service) return { ...base, state: 'running', summary: 'running' };
    // monitor.py:MonitorContainerDown writes exitinfo from this tombstone and takes the container down.
    return { ...base, state: 'running', summary: `going down: service ${service.service} ${exitSummary(service.rc, service.signal)}`, exit: exitOf(service.service, service.rc, service.signal, service.time) };
  }
  if (facts.cleanup || facts.cleaning) return { ...base, state: 'cleanup', summary: facts.cleaning ? 'cleaning up' : 'cleanup pending' };
  return { ...base, state: 'configured', summary: 'configured' };
}
