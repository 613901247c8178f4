import { parseInstance } from './instance-name.js';

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

function body(type: string, data: string): EventBody | string {
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

/** The line `treadmill trace` would print for the event. */
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
      return `aborted: ${event.why}`;
    case 'killed':
      return event.oom ? 'killed, out of memory' : 'killed';
    case 'service_running':
      return `service ${event.service} running`;
    case 'service_exited':
      return `service ${event.service} exited: ${exitSummary(event.rc, event.signal)}`;
  }
}

const signals: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM' };

/** Treadmill's words: rc above 255 means the service was killed by a signal. */
export function exitSummary(rc: number, signal: number): string {
  if (rc > 255) return `signal: ${signals[signal] ?? `signal ${signal}`}`;
  return `return code: ${rc}`;
}
