import { z } from 'zod';

/**
 * Treadmill's two names for one container: the instance `proid.app#0000000001`
 * (what the scheduler placed) and the unique name on the node
 * `proid.app-0000000001-<13-char id>` (`#` becomes `-`, plus a unique id,
 * because one instance may run on a node more than once).
 */
export interface InstanceName {
  /** The allocation the app runs under: `proid`, or in `user@proid.app` the part after `@`. */
  proid: string;
  /** `proid.app` (or `user@proid.app`) */
  app: string;
  /** `proid.app#0000000001` */
  instance: string;
  instanceId: string;
}

export interface UniqueName extends InstanceName {
  /** `proid.app-0000000001-0000000ID1234` */
  unique: string;
  uniqueId: string;
}

// Treadmill's schema, lib/python/treadmill/etc/schema/common.json ("app_id", "instance_id"): a proid of 2-20 of
// [a-zA-Z0-9_-], optionally `user@`-prefixed form `proid@name`, then one or more `.word` parts (\w = [A-Za-z0-9_]).
const app = String.raw`[a-zA-Z0-9_-]{2,20}(?:@[\w-]+)?(?:\.[\w-]+)+`;
const instancePattern = new RegExp(String.raw`^(${app})#(\d+)$`);
// appcfg/__init__.py:_fmt_unique_name: '{app}-{id:>013s}' with '#' replaced by '-'; the id is gen_uniqueid's 13
// characters of base 62 ([0-9a-zA-Z], left-padded with 0). app_name() splits at the last two dashes, as this does.
const uniquePattern = new RegExp(String.raw`^(${app})-(\d+)-([0-9A-Za-z]{13})$`);
const maxAppLength = 117;

/** scheduler/loader.py:_alloc_key: the text before the first '.', or in `user@proid.app` between '@' and '.'. */
function proidOf(appName: string): string {
  const dot = appName.indexOf('.');
  const at = appName.indexOf('@');
  return at >= 0 && at < dot ? appName.slice(at + 1, dot) : appName.slice(0, dot);
}

export function parseInstance(name: string): InstanceName | null {
  const match = instancePattern.exec(name);
  if (!match || match[1]!.length > maxAppLength) return null;
  return { proid: proidOf(match[1]!), app: match[1]!, instance: name, instanceId: match[2]! };
}

export function parseUnique(name: string): UniqueName | null {
  const match = uniquePattern.exec(name);
  if (!match || match[1]!.length > maxAppLength) return null;
  const [, appName, instanceId, uniqueId] = match as unknown as [string, string, string, string];
  return { proid: proidOf(appName), app: appName, instanceId, instance: `${appName}#${instanceId}`, unique: name, uniqueId };
}

export function uniqueName(instance: string, uniqueId: string): string {
  const parsed = parseInstance(instance);
  if (!parsed || !/^[0-9A-Za-z]{13}$/.test(uniqueId)) throw new Error(`cannot make a unique name from ${instance} and ${uniqueId}`);
  return `${parsed.app}-${parsed.instanceId}-${uniqueId}`;
}

/**
 * A container as the operator names it: its instance (`proid.app#0000000001`)
 * or its unique name on the node (`proid.app-0000000001-<13-char id>`), by
 * Treadmill's rules above. Anything else never reaches a node.
 */
export const ContainerName = z
  .string()
  .max(200)
  .refine((name) => parseInstance(name) !== null || parseUnique(name) !== null, 'not a container name: an instance (proid.app#0000000001) or a unique name (proid.app-0000000001-<id>)');
