import { readFileSync } from 'node:fs';
import { KernelArgs, type NodeBoot, type NodeSpec, type TftpEntry } from '../../shared/contract/index.js';
import { nodeProgress, type AccessEntry, type BootedEntry } from './boot-progress.js';
import { tail } from './netboot-services.js';
import { macConfigName, renderNodeConfig, syncNodeConfigs, type BootSettings, type SyncResult } from './pxe-config.js';

/** The nodes that netboot: a MAC and a choice in the inventory. */
function netbooting(nodes: readonly NodeSpec[]): (NodeSpec & { mac: string })[] {
  return nodes.filter((node): node is NodeSpec & { mac: string } => typeof node.mac === 'string');
}

const choiceOf = (entry: TftpEntry) => `${entry.arch}/${entry.subarch}/${entry.release}/${entry.purpose}`;

interface Planned {
  node: NodeSpec & { mac: string };
  entry: TftpEntry | null;
  text: string | null;
  problem: string | null;
}

function plan(nodes: readonly NodeSpec[], entries: readonly TftpEntry[], settings: BootSettings): Planned[] {
  return netbooting(nodes).map((node) => {
    if (!node.netboot) return { node, entry: null, text: null, problem: 'boots its local disk (no netboot choice)' };
    const entry = entries.find((e) => choiceOf(e) === node.netboot) ?? null;
    if (!entry) return { node, entry, text: null, problem: `nothing published for ${node.netboot}` };
    const config = { node: node.name, mac: node.mac, releasePath: `${entry.arch}/${entry.subarch}/${entry.release}`, version: entry.version, hasRoot: entry.rootBytes !== null };
    const text = renderNodeConfig(config, entry.purpose, settings);
    return { node, entry, text, problem: text === null ? 'no netboot HTTP address yet: start the netboot services (slipway netboot serve)' : null };
  });
}

/** Every netbooting node's pxelinux config, written where it changed (each by one rename), stale ones of Slipway's removed. */
export function syncConfigs(root: string, nodes: readonly NodeSpec[], entries: readonly TftpEntry[], settings: BootSettings): SyncResult {
  const configs = new Map<string, string>();
  for (const planned of plan(nodes, entries, settings)) if (planned.text) configs.set(macConfigName(planned.node.mac), planned.text);
  return syncNodeConfigs(root, configs);
}

function jsonLines<T>(path: string): T[] {
  return tail(path, 2_000, 1 << 20).flatMap((line) => {
    try {
      return [JSON.parse(line) as T];
    } catch {
      return [];
    }
  });
}

/** Per node: what its config names now, what it reported booting last, and its last boot step by step. */
export function nodeBoots(nodes: readonly NodeSpec[], entries: readonly TftpEntry[], settings: BootSettings, logs: { dnsmasq: string; access: string; booted: string }): NodeBoot[] {
  const planned = plan(nodes, entries, settings);
  const progress = nodeProgress(tail(logs.dnsmasq, 5_000, 1 << 20), jsonLines<AccessEntry>(logs.access), jsonLines<BootedEntry>(logs.booted), planned.map((p) => p.node.mac));
  return planned.map(({ node, entry, text, problem }) => {
    const seen = progress.get(node.mac);
    return {
      node: node.name,
      mac: node.mac,
      choice: node.netboot ?? null,
      next: text && entry ? entry.version : null,
      problem,
      last: seen?.last ? { version: seen.last.version, at: seen.last.at, ip: seen.last.ip } : null,
      progress: seen?.events ?? [],
    };
  });
}

/** Per-purpose kernel arguments, kept in the state directory; checked again when read (the file may have been edited). */
export function readExtraArgs(path: string): Record<string, string> {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!raw || typeof raw !== 'object') return {};
    return Object.fromEntries(Object.entries(raw).filter((pair): pair is [string, string] => KernelArgs.safeParse(pair[1]).success));
  } catch {
    return {};
  }
}
