import { createHash } from 'node:crypto';
import type { NodeSpec, NodeStatus } from '../../shared/contract/index.js';

/**
 * How the mocked lab (mock-node-fleet.ts) treats an application, by host, as
 * the node fleet does for health polls:
 *
 * - 10.0.2.11 (rack2-n01) has a third-party apt repository whose signing key
 *   it lacks: `depends` fails with a GPG NO_PUBKEY line, a bad-host pattern,
 *   so the node goes on the blacklist;
 * - 10.0.3.22 (rack3-g02) drops off the network part way through the first
 *   run of each deployment: its polls go unanswered and it fails as lost; a
 *   retry finds it back;
 * - a node the health polls cannot log into (refused, wrong key, unknown or
 *   changed host key, encrypted key not unlocked) fails at `home` with its
 *   last error;
 * - every other node does what the definition says.
 */

export type AppTrouble = 'bad-gpg' | 'lost' | null;

export function appTroubleOf(host: string): AppTrouble {
  if (host === '10.0.2.11') return 'bad-gpg';
  if (host === '10.0.3.22') return 'lost';
  return null;
}

/** What apt prints on a node that lacks a repository's key: NEPI's first bad-host pattern matches it. */
export const gpgErrorLines = [
  'Hit:1 http://deb.debian.org/debian bookworm InRelease',
  'Get:2 http://apt.lab.example/debian bookworm InRelease [4,102 B]',
  'W: GPG error: http://apt.lab.example/debian bookworm InRelease: The following signatures couldn\'t be verified because the public key is not available: NO_PUBKEY 6ED0E7B82643E131',
  "E: The repository 'http://apt.lab.example/debian bookworm InRelease' is not signed.",
];

/** Why the node cannot be logged into, or null when it can (an unpolled node is given the benefit of the doubt). */
export function unreachableReason(status: NodeStatus): string | null {
  if (status.state === 'reachable' || status.state === 'unknown') return null;
  return status.errors[0]?.message ?? `the node is ${status.state}`;
}

/** `x86_64 debian 12`, as `uname -m` and /etc/os-release give it: the build groups' key. */
export function platformOf(status: NodeStatus): string {
  const release = status.facts?.osRelease ?? '';
  const ubuntu = /^Ubuntu (\d+\.\d+)/.exec(release);
  if (ubuntu) return `x86_64 ubuntu ${ubuntu[1]}`;
  const debian = /^Debian GNU\/Linux (\d+)/.exec(release);
  return `x86_64 debian ${debian?.[1] ?? '12'}`;
}

export const homeBaseOf = (spec: NodeSpec) => `${spec.user === 'root' ? '/root' : `/home/${spec.user}`}/slipway-apps`;

/** A number in [0, 1) drawn from a seed: each node has its own pace, the same on every run. */
export function fraction(seed: string): number {
  return Number.parseInt(createHash('md5').update(seed).digest('hex').slice(0, 8), 16) / 2 ** 32;
}

/** As the real service selects: the same function. */
export { selectNodes as selectTargets } from '../apps/node-selection.js';
