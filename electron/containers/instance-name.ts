/**
 * Treadmill's two names for one container: the instance `proid.app#0000000001`
 * (what the scheduler placed) and the unique name on the node
 * `proid.app-0000000001-<13-char id>` (`#` becomes `-`, plus a unique id,
 * because one instance may run on a node more than once).
 */
export interface InstanceName {
  proid: string;
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

const instancePattern = /^(([a-z0-9_-]+)\.([A-Za-z0-9_.-]+))#(\d+)$/;
const uniquePattern = /^(([a-z0-9_-]+)\.([A-Za-z0-9_.-]+))-(\d+)-([A-Za-z0-9]{13})$/;

export function parseInstance(name: string): InstanceName | null {
  const match = instancePattern.exec(name);
  return match ? { proid: match[2]!, app: match[1]!, instance: name, instanceId: match[4]! } : null;
}

export function parseUnique(name: string): UniqueName | null {
  const match = uniquePattern.exec(name);
  if (!match) return null;
  return { proid: match[2]!, app: match[1]!, instanceId: match[4]!, instance: `${match[1]}#${match[4]}`, unique: name, uniqueId: match[5]! };
}

export function uniqueName(instance: string, uniqueId: string): string {
  const parsed = parseInstance(instance);
  if (!parsed || !/^[A-Za-z0-9]{13}$/.test(uniqueId)) throw new Error(`cannot make a unique name from ${instance} and ${uniqueId}`);
  return `${parsed.app}-${parsed.instanceId}-${uniqueId}`;
}
