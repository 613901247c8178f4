import { createHash } from 'node:crypto';
import type { AppDefinition } from '../../shared/contract/apps.js';

/** Nodes whose build output is interchangeable: same build inputs, same platform (arch, OS release). */
export function buildKey(definition: AppDefinition, sourcesDigest: string, platform: string): string {
  const inputs = { depends: definition.depends, buildDepends: definition.buildDepends, build: definition.build, install: definition.install, sourcesDigest, platform };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/**
 * NEPI's spanning tree with branching 2: the builder sends to two nodes, each
 * of them to two more, and so on; edges in the order they can start (a node
 * sends only once it has received).
 */
export function spreadTree(builder: string, receivers: readonly string[], branching = 2): { from: string; to: string }[] {
  // Breadth first: the i-th receiver gets it from the (i / branching)-th node that has it.
  const holders = [builder, ...receivers];
  return receivers.map((to, index) => ({ from: holders[Math.floor(index / branching)]!, to }));
}
