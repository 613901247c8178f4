import type { ContainerEventLine, ContainerRow } from '../../../shared/contract/index.js';
import type { Tone } from '../nodes/node-format.js';

export type StateTone = Tone | 'run' | 'info';

/** At a glance: a clean exit is green, a failed one amber, a killed or aborted one red. */
export function stateTone(row: Pick<ContainerRow, 'state' | 'summary'>): StateTone {
  switch (row.state) {
    case 'running':
      return 'run';
    case 'configured':
    case 'placed':
      return 'info';
    case 'exited':
      return 'warn';
    case 'finished':
      return row.summary === 'return code: 0' ? 'ok' : 'warn';
    case 'killed':
    case 'aborted':
      return 'bad';
    default:
      return 'muted';
  }
}

/** Treadmill's words for how it ended; nothing while it has not ended (the state says it all). */
export function exitWords(row: Pick<ContainerRow, 'state' | 'summary'>): string {
  return notEnded(row) ? '' : row.summary;
}

/** Placed, configured or running: nothing has ended it (a running one going down says so in its summary). */
export const notEnded = (row: Pick<ContainerRow, 'state' | 'summary'>) => row.state === 'placed' || row.state === 'configured' || (row.state === 'running' && row.summary === 'running');

/** The exit as Treadmill recorded it: "web_server: signal 9 (SIGKILL)", "web_server: return code 3". */
export function exitFacts(row: Pick<ContainerRow, 'service' | 'exitCode' | 'signal' | 'signalName'>): string | null {
  if (row.exitCode === null) return null;
  const how = row.exitCode > 255 ? `signal ${row.signal ?? '?'}${row.signalName && row.signalName !== String(row.signal) ? ` (${row.signalName})` : ''}` : `return code ${row.exitCode}`;
  return row.service ? `${row.service}: ${how}` : how;
}

/** "8 s", "4 min", "2 h 13 min", "3 d 4 h": how long since the container's directory last changed. */
export function formatAge(iso: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "42 ms", "1.3 s". */
export function formatScanTime(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const lineKey = (line: ContainerEventLine) => `${line.at}\0${line.type}\0${line.text}`;

/**
 * A timeline with more lines in it, oldest first. A line can come twice (in
 * the trace's answer and in an event published meanwhile): it is kept once.
 */
export function mergeTimeline(held: readonly ContainerEventLine[], more: readonly ContainerEventLine[]): ContainerEventLine[] {
  const seen = new Set(held.map(lineKey));
  const added = more.filter((line) => {
    const key = lineKey(line);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (added.length === 0) return [...held];
  // A stable sort: lines of the same instant keep the order Treadmill wrote them in.
  return [...held, ...added].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
