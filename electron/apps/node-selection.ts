import type { AppDefinition } from '../../shared/contract/apps.js';
import { SlipwayError, type NodeSpec } from '../../shared/contract/index.js';

/** Nodes by name and by label; an unknown name is an error, not a silent skip. */
export function selectNodes(definition: AppDefinition, inventory: readonly NodeSpec[], override?: readonly string[]): string[] {
  const names = override ?? definition.nodes;
  const unknown = names.filter((name) => !inventory.some((node) => node.name === name));
  if (unknown.length > 0) throw new SlipwayError('bad_request', `not in the inventory: ${unknown.join(', ')}`, 'nodes');
  const labelled = override ? [] : inventory.filter((node) => node.labels.some((label) => definition.labels.includes(label))).map((node) => node.name);
  const selected = [...new Set([...names, ...labelled])];
  if (selected.length === 0) throw new SlipwayError('bad_request', 'no target nodes: name some in nodes:, or labels: that nodes carry', 'nodes');
  return selected;
}
