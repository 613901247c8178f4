import { z } from 'zod';
import { CellUrlText } from '../../shared/contract/cells.js';

/**
 * A cell's ZooKeeper as Treadmill names it. zkutils.py:connect_native reads it with
 * urllib.parse.urlparse: scheme `zookeeper`, hosts = netloc, chroot = path
 * (`user@` is part of netloc there; Slipway keeps it apart and never sends it).
 */
export interface ZkUrl {
  user: string | null;
  hosts: { host: string; port: number }[];
  /** '' when the URL has none; else '/a/b' without a trailing slash. */
  chroot: string;
  /** What node-zookeeper-client is given: `host:port,host:port/chroot`. */
  connectionString: string;
}

const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])$/;
const userPattern = /^[A-Za-z0-9._-]{1,64}$/;
// ZooKeeper path components (PathUtils.validatePath): no empty part, no "." or ".."; Slipway also refuses blanks.
const chrootPart = /^[^/\s]+$/;

function parse(text: string, ctx: z.RefinementCtx): ZkUrl | typeof z.NEVER {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message: `${message} (expected zookeeper://[user@]host:port[,host:port…][/chroot])` });
    return z.NEVER;
  };
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?$/.exec(text);
  if (!match) return fail(`"${text}" is not a URL`);
  const [, scheme, netloc, path = ''] = match as unknown as [string, string, string, string | undefined];
  // zkutils.py:connect_native: any other scheme must come from a plugin (treadmill.zookeeper.client); Slipway has none.
  if (scheme !== 'zookeeper') return fail(`scheme "${scheme}" is not zookeeper`);
  const at = netloc.lastIndexOf('@');
  const user = at >= 0 ? netloc.slice(0, at) : null;
  if (user !== null && !userPattern.test(user)) return fail(`"${user}" is not a user name`);
  const hostList = at >= 0 ? netloc.slice(at + 1) : netloc;
  if (!hostList) return fail('no host');
  const hosts: ZkUrl['hosts'] = [];
  for (const entry of hostList.split(',')) {
    const colon = entry.lastIndexOf(':');
    const host = colon > 0 ? entry.slice(0, colon) : entry;
    const portText = colon > 0 ? entry.slice(colon + 1) : '';
    if (!hostPattern.test(host)) return fail(`"${host}" is not a host name`);
    // kazoo defaults a missing port to 2181; Treadmill's cells always name it, and so must Slipway's.
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return fail(`"${entry}" has no port 1-65535`);
    hosts.push({ host, port: Number(portText) });
  }
  const chroot = path.replace(/\/+$/, '');
  if (chroot && !chroot.slice(1).split('/').every((part) => chrootPart.test(part) && part !== '.' && part !== '..')) return fail(`"${path}" is not a ZooKeeper path`);
  const connectionString = hosts.map(({ host, port }) => `${host}:${port}`).join(',') + chroot;
  return { user, hosts, chroot, connectionString };
}

export const ZkUrlSchema = CellUrlText.transform(parse);

export function parseZkUrl(text: string): ZkUrl {
  const result = ZkUrlSchema.safeParse(text);
  if (!result.success) throw new Error(`invalid cell URL: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
  return result.data;
}
