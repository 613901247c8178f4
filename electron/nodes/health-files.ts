import type { NodeFacts } from '../../shared/contract/index.js';

/**
 * Node health from the texts of a node's /proc files and a statvfs of its root,
 * as the resident SFTP session reads them: pure, so it is tested on this
 * machine's own files without a node.
 */

/** Files re-read (at offset 0) on every poll. */
export const liveFiles = { loadavg: '/proc/loadavg', meminfo: '/proc/meminfo', uptime: '/proc/uptime' } as const;
export type LiveTexts = Record<keyof typeof liveFiles, string>;

/**
 * Files read once per session: facts that change only with a reboot (which
 * ends the session). /proc/self is the SFTP server's own process, started by
 * sshd as a shell would be: its allowed CPUs are what `nproc` says there.
 */
export const staticFiles = {
  hostname: '/proc/sys/kernel/hostname',
  kernel: '/proc/sys/kernel/osrelease',
  osRelease: '/etc/os-release',
  status: '/proc/self/status',
} as const;
export type StaticTexts = Record<keyof typeof staticFiles, string>;

export interface StaticFacts {
  hostname: string;
  osRelease: string;
  kernel: string;
  cpus: number;
}

/** statvfs@openssh.com's answer, the fields a disk figure needs (as `df -P` computes them). */
export interface FsStats {
  f_frsize: number;
  f_blocks: number;
  f_bfree: number;
}

function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new Error(`${what} is not a number`);
  return value;
}

export function parseLoadavg(text: string): [number, number, number] {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  return [finite(one ?? NaN, '/proc/loadavg'), finite(five ?? NaN, '/proc/loadavg'), finite(fifteen ?? NaN, '/proc/loadavg')];
}

export function parseUptime(text: string): number {
  return finite(Number(text.trim().split(/\s+/)[0] ?? NaN), '/proc/uptime');
}

function kib(meminfo: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(meminfo);
  if (!match) throw new Error(`no ${field} in /proc/meminfo`);
  return Number(match[1]) * 1024;
}

export function parseMeminfo(text: string): { memTotalBytes: number; memAvailableBytes: number } {
  return { memTotalBytes: kib(text, 'MemTotal'), memAvailableBytes: kib(text, 'MemAvailable') };
}

/** A kernel CPU list ("0-3,8,10-11"): how many CPUs it names. */
export function countCpuList(list: string): number {
  let count = 0;
  for (const part of list.trim().split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new Error(`cannot read the CPU list "${list.trim()}"`);
    count += match[2] === undefined ? 1 : Number(match[2]) - Number(match[1]) + 1;
  }
  return count;
}

/** PRETTY_NAME of os-release (shell syntax: quoted, backslash escapes), as `. /etc/os-release` gives it. */
export function parseOsRelease(text: string): string {
  const line = /^PRETTY_NAME=(.*)$/m.exec(text)?.[1]?.trim();
  if (!line) return 'unknown';
  const quoted = /^(["'])(.*)\1$/.exec(line);
  if (!quoted) return line;
  return quoted[1] === '"' ? quoted[2]!.replace(/\\(["\\$`])/g, '$1') : quoted[2]!;
}

export function parseStatic(texts: StaticTexts): StaticFacts {
  const allowed = /^Cpus_allowed_list:\s*(\S+)$/m.exec(texts.status)?.[1];
  if (!allowed) throw new Error('no Cpus_allowed_list in /proc/self/status');
  return { hostname: texts.hostname.trim(), kernel: texts.kernel.trim(), osRelease: parseOsRelease(texts.osRelease), cpus: countCpuList(allowed) };
}

/** Total and used bytes as `df -Pk` counts them (used = blocks - free, reserved blocks included). */
export function diskFromStatvfs(stats: FsStats): { rootDiskTotalBytes: number; rootDiskUsedBytes: number } {
  const unit = finite(stats.f_frsize, 'f_frsize');
  return { rootDiskTotalBytes: finite(stats.f_blocks * unit, 'f_blocks'), rootDiskUsedBytes: finite((stats.f_blocks - stats.f_bfree) * unit, 'f_bfree') };
}

export function factsFromFiles(statics: StaticFacts, live: LiveTexts, root: FsStats): NodeFacts {
  return {
    ...statics,
    uptimeSeconds: parseUptime(live.uptime),
    load: parseLoadavg(live.loadavg),
    ...parseMeminfo(live.meminfo),
    ...diskFromStatvfs(root),
  };
}
