import { createHash, timingSafeEqual } from 'node:crypto';
import { NodeSpec, type NodeFacts, type NodeSpecInput } from '../../shared/contract/index.js';

/**
 * The mocked lab: thirteen nodes and how each host answers a health poll.
 * Nothing is contacted; the addresses are data. Behaviour follows the host
 * (and the key offered to it), as it would in a lab: edit rack3-n07 to
 * another address and it answers.
 *
 * - 10.0.3.7 refuses connections (sshd is down);
 * - 10.0.2.13 refuses the keys offered to it;
 * - 10.0.9.2 presents another key than the one known_hosts holds;
 * - rack 4 (10.0.4.0/24) was racked this week: its keys are not known yet;
 * - rack5-vault is reached with an encrypted key (id_vault_ed25519): Slipway
 *   asks for its passphrase, `lab-secret` (see `encryptedKeys`);
 * - every other host answers, with facts that vary slowly over time.
 */

export type HostAnswer = 'up' | 'refused' | 'auth-failed' | 'key-unknown' | 'key-changed';

export function answerOf(host: string): HostAnswer {
  if (host === '10.0.3.7') return 'refused';
  if (host === '10.0.2.13') return 'auth-failed';
  if (host === '10.0.9.2') return 'key-changed';
  if (host.startsWith('10.0.4.')) return 'key-unknown';
  return 'up';
}

/** Private keys encrypted with a passphrase, and the passphrase that opens each. */
const encryptedKeys: Record<string, string> = {
  '/home/operator/.ssh/id_vault_ed25519': 'lab-secret',
};

export const isEncryptedKey = (path: string | null): path is string => path !== null && path in encryptedKeys;

/** Whether `passphrase` opens the key at `path`; the passphrase is compared, never kept. */
export function opensKey(path: string, passphrase: string): boolean {
  const expected = encryptedKeys[path];
  if (expected === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(passphrase));
}

export interface SeedNode {
  spec: NodeSpec;
  /** When the node last answered before the console started, for nodes that no longer do. */
  lastSeenAgoMs?: number;
}

const node = (input: NodeSpecInput, lastSeenAgoMs?: number): SeedNode => ({ spec: NodeSpec.parse(input), ...(lastSeenAgoMs === undefined ? {} : { lastSeenAgoMs }) });
const minutes = 60_000;

export const seedNodes: readonly SeedNode[] = [
  node({ name: 'lab-gw', host: '10.0.0.1', user: 'operator', labels: ['gateway'] }),
  node({ name: 'rack1-n01', host: '10.0.1.11', labels: ['rack=1', 'compute'] }),
  node({ name: 'rack1-n02', host: '10.0.1.12', labels: ['rack=1', 'compute'] }),
  node({ name: 'rack1-n03', host: '10.0.1.13', labels: ['rack=1', 'compute', 'build-host'] }),
  node({ name: 'rack2-n01', host: '10.0.2.11', labels: ['rack=2', 'compute'] }),
  node({ name: 'rack2-n02', host: '10.0.2.12', labels: ['rack=2', 'compute', 'storage', 'build-host'] }),
  node({ name: 'rack2-n03', host: '10.0.2.13', user: 'lab', labels: ['rack=2', 'compute'] }),
  node({ name: 'rack3-g01', host: '10.0.3.21', identity: '/home/operator/.ssh/id_gpu_ed25519', labels: ['rack=3', 'gpu'] }),
  node({ name: 'rack3-g02', host: '10.0.3.22', identity: '/home/operator/.ssh/id_gpu_ed25519', labels: ['rack=3', 'gpu'] }),
  node({ name: 'rack3-n07', host: '10.0.3.7', labels: ['rack=3', 'compute', 'build-host'] }, 133 * minutes),
  node({ name: 'rack4-n01', host: '10.0.4.11', jump: 'lab-gw', labels: ['rack=4', 'compute'] }),
  node({ name: 'rack5-vault', host: '10.0.5.30', identity: '/home/operator/.ssh/id_vault_ed25519', labels: ['rack=5'] }),
  node({ name: 'bench-01', host: '10.0.9.2', port: 2222, user: 'bench', labels: ['bench'] }, 6 * 24 * 60 * minutes),
];

export const defaultSshConfigPath = '/home/operator/.ssh/config';

/** What ~/.ssh/config holds, as the real importer would read it: lab-gw is in the inventory already. */
export function sshConfigEntries(): { nodes: NodeSpec[]; skipped: { host: string; reason: string }[] } {
  const imported = (input: NodeSpecInput) => NodeSpec.parse({ ...input, labels: ['imported'] });
  const nodes = [
    imported({ name: 'lab-gw', host: '10.0.0.1', user: 'operator' }),
    imported({ name: 'rack5-n01', host: '10.0.5.11', user: 'root', jump: 'lab-gw', identity: '/home/operator/.ssh/id_lab_ed25519' }),
    imported({ name: 'rack5-n02', host: '10.0.5.12', user: 'root', jump: 'lab-gw', identity: '/home/operator/.ssh/id_lab_ed25519' }),
  ];
  // The reason is the one the real importer gives for the same entry.
  const broken = NodeSpec.safeParse({ name: 'old-switch', host: '10.0.0.250', port: 70022, user: 'admin', labels: ['imported'] });
  const reason = broken.success ? 'invalid' : broken.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return { nodes, skipped: [{ host: 'old-switch', reason }] };
}

const GiB = 1024 ** 3;

/** A number in [0, 1) drawn from a seed: each host has its own shape, the same on every run. */
function fraction(seed: string): number {
  return Number.parseInt(createHash('md5').update(seed).digest('hex').slice(0, 8), 16) / 2 ** 32;
}

export function fingerprintOf(host: string, port: number): string {
  return `SHA256:${createHash('sha256').update(`ssh-ed25519 ${host}:${port}`).digest('base64').replace(/=+$/, '')}`;
}

/** Hosts that stand out: a GPU node training, a storage node nearly full. */
const tuned: Record<string, { load?: number; mem?: number; disk?: number }> = {
  '10.0.3.21': { load: 0.72, mem: 0.78 },
  '10.0.2.12': { disk: 0.93 },
  '10.0.0.1': { load: 0.04, mem: 0.22, disk: 0.31 },
};

interface Profile {
  cpus: number;
  memTotal: number;
  diskTotal: number;
  load: number;
  mem: number;
  disk: number;
  bootAgoMs: number;
  osRelease: string;
  kernel: string;
  latencyMs: number;
}

function profileOf(spec: NodeSpec): Profile {
  const f = (what: string) => fraction(`${spec.host}:${what}`);
  const gpu = spec.labels.includes('gpu');
  const gateway = spec.labels.includes('gateway');
  const cpus = gateway ? 4 : gpu ? 64 : [16, 32, 48][Math.floor(f('cpus') * 3)]!;
  const own = tuned[spec.host] ?? {};
  return {
    cpus,
    memTotal: (gateway ? 8 : gpu ? 512 : cpus * 4) * GiB - Math.round(f('reserved') * 400) * 1024 ** 2,
    diskTotal: (gpu ? 1788 : gateway ? 58 : 447) * GiB,
    load: own.load ?? 0.05 + 0.45 * f('load'),
    mem: own.mem ?? 0.15 + 0.5 * f('mem'),
    disk: own.disk ?? 0.12 + 0.5 * f('disk'),
    bootAgoMs: (2 + 40 * f('boot')) * 24 * 60 * minutes,
    osRelease: gpu ? 'Ubuntu 22.04.5 LTS' : 'Debian GNU/Linux 12 (bookworm)',
    kernel: gpu ? '5.15.0-126-generic' : '6.1.0-28-amd64',
    latencyMs: 0.3 + 1.2 * f('latency') + (spec.jump ? 0.9 : 0),
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * What a health poll at `at` reads from a host that answers. Load follows a
 * slow wave (a period of 90 s, visible in a demo) with a little noise per
 * poll; the disk fills a little; uptime counts from a boot before `epoch`.
 */
export function readFacts(spec: NodeSpec, at: number, epoch: number): { facts: NodeFacts; latencyMs: number } {
  const p = profileOf(spec);
  const wave = Math.sin((2 * Math.PI * at) / 90_000 + fraction(`${spec.host}:phase`) * 2 * Math.PI);
  const noise = fraction(`${spec.host}:${Math.floor(at / 1000)}`) - 0.5;
  const load = p.cpus * p.load;
  const memUsed = Math.min(0.98, p.mem * (1 + 0.06 * wave + 0.02 * noise));
  const diskUsed = Math.min(p.diskTotal, p.diskTotal * p.disk + ((at - epoch) / 1000) * 48 * 1024);
  return {
    facts: {
      hostname: spec.name,
      osRelease: p.osRelease,
      kernel: p.kernel,
      cpus: p.cpus,
      uptimeSeconds: Math.floor((at - epoch + p.bootAgoMs) / 1000),
      load: [round(load * (1 + 0.35 * wave + 0.2 * noise), 2), round(load * (1 + 0.15 * wave), 2), round(load, 2)],
      memTotalBytes: p.memTotal,
      memAvailableBytes: Math.round(p.memTotal * (1 - memUsed)),
      rootDiskTotalBytes: p.diskTotal,
      rootDiskUsedBytes: Math.round(diskUsed),
    },
    latencyMs: round(p.latencyMs * (1 + 0.4 * noise), 1),
  };
}
