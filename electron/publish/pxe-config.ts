import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootImageName } from '../lib/tftp-tree/tftp-publish.js';

/**
 * Boot loader and per-node configs in the TFTP root, as pxelinux reads them:
 * `pxelinux.cfg/01-<mac, lower case, dashes>` first (the ARP type 01 and the
 * MAC, syslinux core/fs/pxe/pxe.c make_bootif_string), then the IP in hex
 * shortened one digit at a time, then `default` (pxe.c pxe_load_config).
 * Each node's config names one version's paths, so a node that read it
 * fetches one version's kernel, initrd and root image, whatever is published
 * after; every config is switched by one rename.
 */


/** Written by Slipway: a config without this first line is the operator's and is never touched. */
const header = '# Slipway netboot config';

/** `52:54:00:12:34:56` → `01-52-54-00-12-34-56`, pxelinux's name for the node's config. */
export function macConfigName(mac: string): string {
  return `01-${mac.toLowerCase().replaceAll(':', '-')}`;
}

function writeByRename(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(temp, text, { mode: 0o644 });
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  return true;
}

export interface NodeBootConfig {
  node: string;
  mac: string;
  /** `arch/subarch/release` of the version, relative to the TFTP root. */
  releasePath: string;
  version: string;
  /** The version carries a root image: boot it diskless with live-boot. */
  hasRoot: boolean;
}

export interface BootSettings {
  /** Where nodes fetch root images: `http://10.0.0.1:8740`. Null until the services were set up. */
  httpBase: string | null;
  /** The serial console nodes print to (`ttyS0,115200`); empty for none. */
  console: string;
  /** Per purpose: more kernel arguments, operator-edited. */
  extraArgs: (purpose: string) => string;
}

/** The kernel command line a node boots with; every value already checked by the contract (no spaces or newlines inside words). */
export function kernelCommandLine(config: NodeBootConfig, purpose: string, settings: BootSettings): string | null {
  const base = `${config.releasePath}/.versions/${config.version}`;
  const words: string[] = [];
  if (config.hasRoot) {
    if (!settings.httpBase) return null;
    // live-boot: boot=live, the root image fetched whole into RAM and mounted under an overlay (9990-mount-http.sh).
    words.push('boot=live', `fetch=${settings.httpBase}/${base}/${rootImageName}`);
    words.push(`slipway.phone=${settings.httpBase}/slipway/booted`);
  }
  words.push(`slipway.version=${config.version}`);
  if (settings.console) words.push(`console=${settings.console}`);
  const extra = settings.extraArgs(purpose);
  if (extra) words.push(extra);
  return words.join(' ');
}

/** One node's config: one label, no prompt, no timeout; IPAPPEND 2 adds BOOTIF=01-<mac> so the initramfs uses the NIC it booted from. */
export function renderNodeConfig(config: NodeBootConfig, purpose: string, settings: BootSettings): string | null {
  const append = kernelCommandLine(config, purpose, settings);
  if (append === null) return null;
  const base = `${config.releasePath}/.versions/${config.version}`;
  return [
    header,
    `# node ${config.node} (${config.mac}) boots ${config.releasePath}/${purpose}, version ${config.version}`,
    'DEFAULT slipway',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL slipway',
    `  KERNEL ${base}/kernel`,
    `  INITRD ${base}/initrd`,
    `  APPEND ${append}`,
    '  IPAPPEND 2',
    '',
  ].join('\n');
}

/** Nodes without a config of their own boot from their local disk (pxelinux LOCALBOOT 0). */
export const defaultConfig = [header, '# nodes without a config of their own boot from their local disk', 'DEFAULT local', 'PROMPT 0', 'TIMEOUT 0', 'LABEL local', '  LOCALBOOT 0', ''].join('\n');

export interface SyncResult {
  written: string[];
  removed: string[];
}

/**
 * Makes `pxelinux.cfg/` hold exactly Slipway's configs for these nodes (each
 * written only when its text changes), the `default` when there is none of
 * the operator's, and no config of Slipway's for a MAC no longer assigned.
 */
export function syncNodeConfigs(root: string, configs: ReadonlyMap<string, string>): SyncResult {
  const dir = join(root, 'pxelinux.cfg');
  mkdirSync(dir, { recursive: true });
  const result: SyncResult = { written: [], removed: [] };
  const ours = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8').startsWith(header);
    } catch {
      return false;
    }
  };
  if (!existsSync(join(dir, 'default')) || ours('default')) if (writeByRename(join(dir, 'default'), defaultConfig)) result.written.push('default');
  for (const [name, text] of configs) if (writeByRename(join(dir, name), text)) result.written.push(name);
  for (const name of readdirSync(dir)) {
    if (/^01(-[0-9a-f]{2}){6}$/.test(name) && !configs.has(name) && ours(name)) {
      rmSync(join(dir, name), { force: true });
      result.removed.push(name);
    }
  }
  return result;
}
