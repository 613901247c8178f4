import type { NodeFacts, NodeState } from '../../../shared/contract/index.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'muted';

/** How a state reads at a glance: green answers, red does not, amber waits on the operator's trust. */
export const stateTone: Record<NodeState, Tone> = {
  reachable: 'ok',
  unreachable: 'bad',
  timeout: 'bad',
  'auth-failed': 'bad',
  blacklisted: 'bad',
  'host-key-unknown': 'warn',
  'host-key-changed': 'warn',
  unknown: 'muted',
};

/** "just now", "12 s ago", "4 min ago", "2 h 13 min ago", "6 d ago"; "never" for a node that never answered. */
export function formatAgo(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const seconds = Math.floor((now - Date.parse(iso)) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** "3 min", "5 h 07 min", "12 d 4 h": as `uptime` puts it, roughly. */
export function formatUptime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function formatLatency(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** A whole percentage in [0, 100]; nothing of nothing is 0. */
export function percentOf(part: number, whole: number): number {
  if (!(whole > 0)) return 0;
  return Math.min(100, Math.max(0, Math.round((100 * part) / whole)));
}

export function usageTone(percent: number): Tone {
  return percent >= 90 ? 'bad' : percent >= 75 ? 'warn' : 'ok';
}

export interface Usage {
  /** Width of the bar. */
  percent: number;
  tone: Tone;
  /** The number beside the bar. */
  text: string;
}

/** The three bars of a node: 1-minute load per CPU, memory in use, root disk in use. */
export function usageOf(facts: NodeFacts): { load: Usage; memory: Usage; disk: Usage } {
  const load = percentOf(facts.load[0], facts.cpus);
  const memory = percentOf(facts.memTotalBytes - facts.memAvailableBytes, facts.memTotalBytes);
  const disk = percentOf(facts.rootDiskUsedBytes, facts.rootDiskTotalBytes);
  return {
    load: { percent: load, tone: usageTone(load), text: facts.load[0].toFixed(2) },
    memory: { percent: memory, tone: usageTone(memory), text: `${memory}%` },
    disk: { percent: disk, tone: usageTone(disk), text: `${disk}%` },
  };
}

/** The name OpenSSH gives a host in known_hosts: bare on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Where a node keeps the public half of a host key of this type, to compare fingerprints on its console. */
export function hostKeyFile(keyType: string): string {
  const kind = keyType.includes('ed25519') ? 'ed25519' : keyType.includes('ecdsa') ? 'ecdsa' : 'rsa';
  return `/etc/ssh/ssh_host_${kind}_key.pub`;
}

/** Where Slipway keeps a passphrase once given, as the prompt tells the operator. */
export function passphraseKeptIn(keptIn: 'session' | 'os-keyring'): string {
  return keptIn === 'os-keyring' ? 'Slipway keeps it encrypted by your system keyring.' : 'Slipway keeps it for this session only, in memory.';
}
