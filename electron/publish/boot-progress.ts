import type { NodeBootEvent } from '../../shared/contract/index.js';
import { macConfigName } from './pxe-config.js';

/**
 * A node's last netboot, step by step, from what the services logged:
 * dnsmasq's DHCPACK and TFTP "sent" lines (dnsmasq's log lines, syslog
 * stamped: `Dec  2 04:20:33 dnsmasq-tftp[1494]: sent /srv/tftp/x to 10.0.0.5`),
 * the HTTP server's access log (the root image), and the booted image's
 * phone-home. The TFTP config a node reads names its MAC, which ties its IP
 * to it in proxy-DHCP mode too, where the lab's DHCP server gave the address.
 */
export interface AccessEntry {
  at: string;
  ip: string;
  path: string;
  status: number;
  bytes: number;
  ms?: number;
}

export interface BootedEntry {
  at: string;
  ip: string;
  mac: string;
  version: string;
}

export interface NodeProgress {
  events: NodeBootEvent[];
  last: BootedEntry | null;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** syslog's stamp has no year: the one of `now`, or the one before for a December line read in January. */
function syslogTime(month: string, day: string, time: string, now: Date): string | null {
  const index = months.indexOf(month);
  if (index < 0) return null;
  let year = now.getFullYear();
  if (index > now.getMonth()) year -= 1;
  const stamp = new Date(`${year}-${String(index + 1).padStart(2, '0')}-${day.padStart(2, '0')}T${time}`);
  return Number.isNaN(stamp.getTime()) ? null : stamp.toISOString();
}

const dnsmasqLine = /^(\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d) dnsmasq-(dhcp|tftp)\[\d+\]: (.*)$/;
const version = /\/\.versions\/([^/]+)\/(kernel|initrd|root\.squashfs)$/;

export function nodeProgress(dnsmasq: readonly string[], access: readonly AccessEntry[], booted: readonly BootedEntry[], macs: readonly string[], now = new Date()): Map<string, NodeProgress> {
  const byConfig = new Map(macs.map((mac) => [macConfigName(mac), mac]));
  const ipToMac = new Map<string, string>();
  const progress = new Map<string, NodeProgress>(macs.map((mac) => [mac, { events: [], last: null }]));
  const timeline: { at: string; ip: string | null; mac: string | null; stage: NodeBootEvent['stage']; detail: string }[] = [];

  for (const line of dnsmasq) {
    const match = dnsmasqLine.exec(line);
    if (!match) continue;
    const at = syslogTime(match[1]!, match[2]!, match[3]!, now);
    if (!at) continue;
    const text = match[5]!;
    const ack = /DHCPACK\(\S+\) (\d+\.\d+\.\d+\.\d+) ([0-9a-f:]{17})/.exec(text);
    if (ack) {
      timeline.push({ at, ip: ack[1]!, mac: ack[2]!, stage: 'address', detail: `${ack[1]} (DHCP)` });
      continue;
    }
    const sent = /^sent (\S+) to (\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (!sent) continue;
    const [path, ip] = [sent[1]!, sent[2]!];
    const config = /\/pxelinux\.cfg\/(01(-[0-9a-f]{2}){6})$/.exec(path);
    if (config) {
      const mac = byConfig.get(config[1]!) ?? null;
      timeline.push({ at, ip, mac, stage: 'config', detail: `pxelinux.cfg/${config[1]} (TFTP)` });
      continue;
    }
    const file = version.exec(path);
    if (file && file[2] !== 'root.squashfs') timeline.push({ at, ip, mac: null, stage: file[2] as 'kernel' | 'initrd', detail: `${file[1]} (TFTP)` });
  }
  for (const entry of access) {
    const file = version.exec(entry.path);
    if (!file || file[2] !== 'root.squashfs' || (entry.status !== 200 && entry.status !== 206)) continue;
    const seconds = entry.ms ? ` in ${(entry.ms / 1000).toFixed(1)} s` : '';
    timeline.push({ at: entry.at, ip: entry.ip, mac: null, stage: 'root', detail: `${file[1]}, ${Math.round(entry.bytes / (1 << 20))} MiB (HTTP)${seconds}` });
  }
  for (const entry of booted) timeline.push({ at: entry.at, ip: entry.ip, mac: entry.mac, stage: 'booted', detail: `${entry.version} (phone-home from ${entry.ip})` });

  // Stable: lines of one second keep their log order. An IP belongs to the MAC that last took it (DHCP) or read its config.
  timeline.sort((a, b) => a.at.localeCompare(b.at));
  for (const event of timeline) {
    if (event.ip && event.mac && (event.stage === 'address' || event.stage === 'config')) ipToMac.set(event.ip, event.mac);
    const mac = event.mac ?? (event.ip ? ipToMac.get(event.ip) : undefined);
    const node = mac ? progress.get(mac) : undefined;
    if (!node) continue;
    // A boot starts when the node reads its config: what came before is an earlier boot (its DHCP just before stays).
    if (event.stage === 'config') node.events = node.events.filter((e, i, all) => e.stage === 'address' && i === all.length - 1);
    node.events.push({ stage: event.stage, at: event.at, detail: event.detail });
    if (event.stage === 'booted') {
      const entry = booted.find((b) => b.at === event.at && b.mac === mac);
      if (entry) node.last = entry;
    }
  }
  return progress;
}
