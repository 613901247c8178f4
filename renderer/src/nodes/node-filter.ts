import type { NodeStatus } from '../../../shared/contract/index.js';
import { defaultNodeSort, sortRows } from './node-sort.js';

/** Names in natural order: rack2-n10 after rack2-n9 (the nodes table's own order, for every node list). */
export function sortNodes(statuses: Iterable<NodeStatus>): NodeStatus[] {
  return sortRows([...statuses], defaultNodeSort);
}

/**
 * Every word of the filter must match: a part of the name, host (or
 * host:port), user or a label, or the start of the state ("host-key" finds
 * both host-key states, "reachable" not the unreachable ones).
 */
export function matchesFilter(status: NodeStatus, filter: string): boolean {
  const { spec, state } = status;
  const haystack = [spec.name, `${spec.host}:${spec.port}`, spec.user, ...spec.labels].map((s) => s.toLowerCase());
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => state.startsWith(word) || haystack.some((field) => field.includes(word)));
}

export function filterNodes(statuses: readonly NodeStatus[], filter: string): NodeStatus[] {
  return filter.trim() === '' ? [...statuses] : statuses.filter((s) => matchesFilter(s, filter));
}

/** Select-all over the rows in view: selects them all, or clears them when all were selected. */
export function toggleAll(selected: readonly string[], visible: readonly string[]): string[] {
  const all = visible.length > 0 && visible.every((name) => selected.includes(name));
  return all ? selected.filter((name) => !visible.includes(name)) : [...selected, ...visible.filter((name) => !selected.includes(name))];
}

/**
 * The node the detail may show under this filter: the open one while its row
 * is in the table, none once the filter hides it, so the operator never acts
 * on a node they cannot see.
 */
export function openInView(statuses: Readonly<Record<string, NodeStatus>>, open: string | null, filter: string): string | null {
  if (open === null) return null;
  const status = statuses[open];
  // Not listed (yet): the inventory decides, not the filter.
  if (!status) return open;
  return filter.trim() === '' || matchesFilter(status, filter) ? open : null;
}
