import { readFileSync } from 'node:fs';

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); the command name may hold spaces and parentheses. */
export function parseStartTime(stat: string): string {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  if (!start) throw new Error('malformed /proc stat line');
  return start;
}

export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

export function processIdentity(pid: number = process.pid, proc = '/proc'): ProcessIdentity | null {
  try {
    return { pid, startTime: parseStartTime(readFileSync(`${proc}/${pid}/stat`, 'utf8')) };
  } catch {
    return null;
  }
}

/** Alive and the same process: a pid reused by another process does not count. */
export function isAlive(identity: ProcessIdentity, proc = '/proc'): boolean {
  return processIdentity(identity.pid, proc)?.startTime === identity.startTime;
}
