import type { NodeFacts } from '../../shared/contract/index.js';

const separator = '--slipway--';

/**
 * The health read where a node refuses SFTP (see health-poll.ts): one round
 * trip, a POSIX sh script of coreutils and /proc reads (nodes may have neither
 * Python nor Node), sections split by a marker line.
 */
export const healthCommand = [
  'hostname',
  '(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown}")',
  'uname -r',
  '(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)',
  'cat /proc/uptime',
  'cat /proc/loadavg',
  "grep -E '^(MemTotal|MemAvailable):' /proc/meminfo",
  'df -Pk /',
].join(`; echo ${separator}; `);

function kib(meminfo: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(meminfo);
  if (!match) throw new Error(`no ${field} in /proc/meminfo`);
  return Number(match[1]) * 1024;
}

export function parseHealth(output: string): NodeFacts {
  const sections = output.split(`${separator}\n`).map((s) => s.trim());
  if (sections.length !== 8) throw new Error(`health output has ${sections.length} sections, expected 8`);
  const [hostname, osRelease, kernel, cpus, uptime, loadavg, meminfo, df] = sections as [string, string, string, string, string, string, string, string];
  const load = loadavg.split(/\s+/).slice(0, 3).map(Number);
  // df -P: the second line is "<fs> <1K-blocks> <used> <available> <capacity> <mount>".
  const disk = df.split('\n')[1]?.trim().split(/\s+/) ?? [];
  const facts: NodeFacts = {
    hostname,
    osRelease,
    kernel,
    cpus: Number(cpus),
    uptimeSeconds: Number(uptime.split(/\s+/)[0]),
    load: [load[0] ?? NaN, load[1] ?? NaN, load[2] ?? NaN],
    memTotalBytes: kib(meminfo, 'MemTotal'),
    memAvailableBytes: kib(meminfo, 'MemAvailable'),
    rootDiskTotalBytes: Number(disk[1]) * 1024,
    rootDiskUsedBytes: Number(disk[2]) * 1024,
  };
  const numbers = [facts.cpus, facts.uptimeSeconds, ...facts.load, facts.rootDiskTotalBytes, facts.rootDiskUsedBytes];
  if (numbers.some((n) => !Number.isFinite(n))) throw new Error('health output has a field that is not a number');
  return facts;
}
