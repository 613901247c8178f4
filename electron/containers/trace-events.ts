import { parseInstance } from '../../shared/contract/instance-name.js';

/**
 * Treadmill's app events: files in `appevents/` named
 * `<time>,<instance>,<type>,<data>` (data has no commas), each type with its
 * own data format.
 */
export type EventBody =
  | { type: 'scheduled'; where: string; why: string }
  | { type: 'pending' | 'pending_delete' | 'aborted'; why: string }
  | { type: 'configured'; uniqueId: string }
  | { type: 'deleted' }
  | { type: 'finished'; rc: number; signal: number }
  | { type: 'killed'; oom: boolean }
  | { type: 'service_running'; uniqueId: string; service: string }
  | { type: 'service_exited'; uniqueId: string; service: string; rc: number; signal: number };

export type ContainerEvent = EventBody & { time: number; instance: string; file: string };

export type EventParse = { ok: true; event: ContainerEvent } | { ok: false; file: string; problem: string };

const integer = (text: string | undefined) => (text !== undefined && /^-?\d+$/.test(text) ? Number(text) : null);

/** An event's data decoded for its type, or why it cannot be (also used by the cell reader for /trace node names). */
export function body(type: string, data: string): EventBody | string {
  switch (type) {
    case 'scheduled': {
      const at = data.indexOf(':');
      return at < 0 ? 'scheduled data must be where:why' : { type, where: data.slice(0, at), why: data.slice(at + 1) };
    }
    case 'pending':
    case 'pending_delete':
    case 'aborted':
      return { type, why: data };
    case 'configured':
      return data ? { type, uniqueId: data } : 'configured needs the unique id';
    case 'deleted':
      return { type };
    case 'finished': {
      const [rcText, signalText] = data.split('.');
      const [rc, signal] = [integer(rcText), integer(signalText)];
      return rc === null || signal === null ? `finished data "${data}" is not rc.signal` : { type, rc, signal };
    }
    case 'killed':
      return { type, oom: data === 'oom' };
    case 'service_running': {
      const dot = data.indexOf('.');
      return dot < 0 ? 'service_running data must be uniqueid.service' : { type, uniqueId: data.slice(0, dot), service: data.slice(dot + 1) };
    }
    case 'service_exited': {
      // The service name may itself hold dots: unique id first, rc and signal last.
      const parts = data.split('.');
      const [rc, signal] = [integer(parts.at(-2)), integer(parts.at(-1))];
      if (parts.length < 4 || rc === null || signal === null) return `service_exited data "${data}" is not uniqueid.service.rc.signal`;
      return { type, uniqueId: parts[0]!, service: parts.slice(1, -2).join('.'), rc, signal };
    }
    default:
      return `unknown event type "${type}"`;
  }
}

export function parseEventFile(file: string): EventParse {
  const parts = file.split(',');
  if (parts.length !== 4) return { ok: false, file, problem: 'an event file name is <time>,<instance>,<type>,<data>' };
  const [timeText, instance, type, data] = parts as [string, string, string, string];
  const time = Number(timeText);
  if (!Number.isFinite(time) || timeText.trim() === '') return { ok: false, file, problem: `"${timeText}" is not a time` };
  if (!parseInstance(instance)) return { ok: false, file, problem: `"${instance}" is not an instance name` };
  const parsed = body(type, data);
  return typeof parsed === 'string' ? { ok: false, file, problem: parsed } : { ok: true, event: { ...parsed, time, instance, file } };
}

/** appcfg/abort.py:AbortedReason.description(): what `treadmill trace` prints for an abort's reason. */
const abortDescriptions: Record<string, string> = {
  invalid_type: 'invalid image type',
  keytabs: 'keytabs could not be fetched',
  tickets: 'tickets could not be fetched',
  scheduler: 'scheduler error',
  ports: 'ports could not be assigned',
  image: 'could not use given image',
  pid1: 'pid1 failed to start',
  GMSA: 'host is not part of GMSA group',
  pivot_root: 'pivot_root failure',
  unsupported: 'unsupported on the node',
  feature: 'failed to configure feature',
  unknown: 'unknown',
  presence: 'presence',
  timeout: 'timeout',
};

/** trace/app/printer.py:AppTracePrinter.on_aborted: a reason that is not an AbortedReason value reads as unknown. */
export function abortDescription(why: string | null): string {
  return (why !== null && Object.hasOwn(abortDescriptions, why) ? abortDescriptions[why] : undefined) ?? 'unknown';
}

/** Slipway's own short words for the event (the console's timeline of one instance). */
export function describeEvent(event: ContainerEvent): string {
  switch (event.type) {
    case 'scheduled':
      return `scheduled on ${event.where}: ${event.why}`;
    case 'pending':
      return `pending: ${event.why}`;
    case 'pending_delete':
      return `pending delete: ${event.why}`;
    case 'configured':
      return `configured ${event.uniqueId}`;
    case 'deleted':
      return 'deleted';
    case 'finished':
      return `finished: ${exitSummary(event.rc, event.signal)}`;
    case 'aborted':
      return `aborted: ${event.why || 'unknown'}`;
    case 'killed':
      return event.oom ? 'killed, out of memory' : 'killed';
    case 'service_running':
      return `service ${event.service} running`;
    case 'service_exited':
      return `service ${event.service} exited: ${exitSummary(event.rc, event.signal)}`;
  }
}

/**
 * The line `treadmill trace` prints for the event, after its `<when> - `
 * (trace/app/printer.py:AppTracePrinter, word for word); `host` is the
 * server the event came from (the node, for events read on it).
 */
export function traceLine(event: ContainerEvent, host: string): string {
  const { instance } = event;
  switch (event.type) {
    case 'scheduled':
      return event.why ? `${instance} scheduled on ${event.where}: ${event.why}` : `${instance} scheduled on ${event.where}`;
    case 'pending':
      return event.why ? `${instance} pending: ${event.why}` : `${instance} pending`;
    case 'pending_delete':
      return event.why ? `${instance} pending delete: ${event.why}` : `${instance} pending delete`;
    case 'configured':
      return `${instance}/${event.uniqueId} configured on ${host}`;
    case 'deleted':
      return `${instance} deleted`;
    case 'finished':
      return `${instance} finished on ${host}`;
    case 'aborted':
      return `${instance} aborted on ${host} [reason: ${abortDescription(event.why)}]`;
    case 'killed':
      return event.oom ? `${instance} killed, out of memory` : `${instance} killed`;
    case 'service_running':
      return `${instance}/${event.uniqueId}/service/${event.service} running`;
    case 'service_exited':
      return event.rc > 255
        ? `${instance}/${event.uniqueId}/service/${event.service} killed, signal: ${signalName(event.signal)}`
        : `${instance}/${event.uniqueId}/service/${event.service} exited, return code: ${event.rc}`;
  }
}

/** utils.strftime_utc: the time `treadmill trace` prints before each line ('%a, %d %b %Y %H:%M:%S+0000'). */
export function treadmillTime(seconds: number): string {
  const date = new Date(Math.floor(seconds) * 1000);
  const [weekday, day, month, year, time] = date.toUTCString().replace(',', '').split(' ') as [string, string, string, string, string];
  return `${weekday}, ${day} ${month} ${year} ${time}+0000`;
}

/**
 * Linux x86_64 signal numbers by name, as utils.signal2name builds them from
 * Python's signal module (the primary name where there are aliases: 6 SIGABRT
 * for SIGIOT, 17 SIGCHLD for SIGCLD, 29 SIGIO for SIGPOLL). Treadmill prints a
 * number it has no name for (256: no signal was recorded) as the number.
 */
const signals: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 10: 'SIGUSR1',
  11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP',
  21: 'SIGTTIN', 22: 'SIGTTOU', 23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO', 30: 'SIGPWR', 31: 'SIGSYS',
};

export function signalName(signal: number): string {
  return signals[signal] ?? String(signal);
}

/** cli/show.py:_show_finished: rc above 255 means the service was killed by a signal. */
export function exitSummary(rc: number, signal: number): string {
  if (rc > 255) return `signal: ${signalName(signal)}`;
  return `return code: ${rc}`;
}

/**
 * Events in Treadmill's order: by time, and at equal times by type name
 * (trace/_zk.py:TraceLoop._process_events sorts the node names as strings;
 * `treadmill trace`'s snapshot falls back to the path likewise).
 */
export function compareEvents(a: ContainerEvent, b: ContainerEvent): number {
  return a.time - b.time || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);
}
