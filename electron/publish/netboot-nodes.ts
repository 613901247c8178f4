import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KernelArgs, type NodeBoot, type NodeSpec, type TftpEntry } from '../../shared/contract/index.js';
import { nodeProgress, type AccessEntry, type BootedEntry } from './boot-progress.js';
import { tail } from './netboot-services.js';
import { macConfigName, renderNodeConfig, syncNodeConfigs, type BootSettings, type SyncResult } from './pxe-config.js';
import { rootImageName } from '../lib/tftp-tree/tftp-publish.js';

/** The nodes that netboot: a MAC and a choice in the inventory. */
function netbooting(nodes: readonly NodeSpec[]): (NodeSpec & { mac: string })[] {
  return nodes.filter((node): node is NodeSpec & { mac: string } => typeof node.mac === 'string');
}

const choiceOf = (entry: TftpEntry) => `${entry.arch}/${entry.subarch}/${entry.release}/${entry.purpose}`;

interface Planned {
  node: NodeSpec & { mac: string };
  entry: TftpEntry | null;
  version: string | null;
  pinned: string | null;
  text: string | null;
  problem: string | null;
}

/** Nodes held at a version of their own (rolled back one by one), by name. */
export type Pins = Readonly<Record<string, string>>;

function plan(root: string, nodes: readonly NodeSpec[], entries: readonly TftpEntry[], settings: BootSettings, pins: Pins): Planned[] {
  return netbooting(nodes).map((node) => {
    const none = { node, entry: null, version: null, pinned: null, text: null };
    if (!node.netboot) return { ...none, problem: 'boots its local disk (no netboot choice)' };
    const entry = entries.find((e) => choiceOf(e) === node.netboot) ?? null;
    if (!entry) return { ...none, problem: `nothing published for ${node.netboot}` };
    // A pin holds only while its version is still kept; then the node follows its purpose again.
    const pin = Object.hasOwn(pins, node.name) ? pins[node.name] : undefined;
    const pinned = pin && (pin === entry.version || entry.kept.includes(pin)) ? pin : null;
    const version = pinned ?? entry.version;
    const releasePath = `${entry.arch}/${entry.subarch}/${entry.release}`;
    const config = { node: node.name, mac: node.mac, releasePath, version, hasRoot: existsSync(join(root, releasePath, '.versions', version, rootImageName)) };
    const text = renderNodeConfig(config, entry.purpose, settings);
    return { node, entry, version, pinned, text, problem: text === null ? 'no netboot HTTP address yet: start the netboot services (slipway netboot serve)' : null };
  });
}

/** Every netbooting node's pxelinux config, written where it changed (each by one rename), stale ones of Slipway's removed. */
export function syncConfigs(root: string, nodes: readonly NodeSpec[], entries: readonly TftpEntry[], settings: BootSettings, pins: Pins): SyncResult {
  const configs = new Map<string, string>();
  for (const planned of plan(root, nodes, entries, settings, pins)) if (planned.text) configs.set(macConfigName(planned.node.mac), planned.text);
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
export function nodeBoots(root: string, nodes: readonly NodeSpec[], entries: readonly TftpEntry[], settings: BootSettings, pins: Pins, logs: { dnsmasq: string; access: string; booted: string }): NodeBoot[] {
  const planned = plan(root, nodes, entries, settings, pins);
  const progress = nodeProgress(tail(logs.dnsmasq, 5_000, 1 << 20), jsonLines<AccessEntry>(logs.access), jsonLines<BootedEntry>(logs.booted), planned.map((p) => p.node.mac));
  return planned.map(({ node, entry, version, pinned, text, problem }) => {
    const seen = progress.get(node.mac);
    return {
      node: node.name,
      mac: node.mac,
      choice: node.netboot ?? null,
      next: text ? version : null,
      pinned,
      kept: entry ? [entry.version, ...entry.kept].filter((v) => v !== version) : [],
      problem,
      last: seen?.last ? { version: seen.last.version, at: seen.last.at, ip: seen.last.ip } : null,
      progress: seen?.events ?? [],
    };
  });
}

/** A string map of the state directory (kernel arguments per purpose, pins per node), each value checked again when read: the file may have been edited. */
export function readChecked(path: string, valid: (value: string) => boolean): Record<string, string> {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!raw || typeof raw !== 'object') return {};
    return Object.fromEntries(Object.entries(raw).filter((pair): pair is [string, string] => typeof pair[1] === 'string' && valid(pair[1])));
  } catch {
    return {};
  }
}

export const readExtraArgs = (path: string) => readChecked(path, (value) => KernelArgs.safeParse(value).success);
export const readPins = (path: string): Pins => readChecked(path, (value) => /^[A-Za-z0-9._+-]+-[0-9a-f]{16}$/.test(value));
