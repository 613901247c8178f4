import type { NodeState, NodeStatus } from '../../../shared/contract/index.js';

export type NodeSortKey = 'name' | 'address' | 'user' | 'state' | 'lastSeen' | 'load' | 'memory' | 'disk';
export type SortDirection = 'asc' | 'desc';
export interface NodeSort {
  key: NodeSortKey;
  dir: SortDirection;
}

export const defaultNodeSort: NodeSort = { key: 'name', dir: 'asc' };

/** A click on a column's header: the same column turns around, another one starts ascending. */
export function nextSort(current: NodeSort, key: NodeSortKey): NodeSort {
  return current.key === key ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}

/** What `aria-sort` says of a column's header. */
export function ariaSort(current: NodeSort, key: NodeSortKey): 'ascending' | 'descending' | 'none' {
  return current.key !== key ? 'none' : current.dir === 'asc' ? 'ascending' : 'descending';
}

/**
 * States from healthy to needing the operator most: ascending puts the
 * answering nodes first, descending the ones to look at.
 */
const stateRank: Record<NodeState, number> = {
  reachable: 0,
  unknown: 1,
  'host-key-unknown': 2,
  'host-key-changed': 3,
  'auth-failed': 4,
  timeout: 5,
  unreachable: 6,
  blacklisted: 7,
};

// One collator for every comparison: `localeCompare` with options builds one per call, too slow for a big inventory.
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

type SortValue = string | number | null;

/** The value a row sorts by; null (no facts, never seen) has no place in the order and goes last either way. */
function valueOf(status: NodeStatus, key: NodeSortKey): SortValue {
  const { spec, facts } = status;
  switch (key) {
    case 'name':
      return spec.name;
    case 'address':
      return `${spec.host}:${spec.port}`;
    case 'user':
      return spec.user;
    case 'state':
      return stateRank[status.state];
    case 'lastSeen':
      return status.lastSeen === null ? null : Date.parse(status.lastSeen);
    case 'load':
      // Per CPU, as the bar shows it: 4 on 64 CPUs is idler than 2 on 2.
      return facts && facts.cpus > 0 ? facts.load[0] / facts.cpus : null;
    case 'memory':
      return facts && facts.memTotalBytes > 0 ? (facts.memTotalBytes - facts.memAvailableBytes) / facts.memTotalBytes : null;
    case 'disk':
      return facts && facts.rootDiskTotalBytes > 0 ? facts.rootDiskUsedBytes / facts.rootDiskTotalBytes : null;
  }
}

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return natural.compare(String(a), String(b));
}

/**
 * The rows in the table's order: by the column, in its direction, rows
 * without a value last, ties by name in natural order (rack2-n9 before
 * rack2-n10). Each row's key is computed once, not once per comparison.
 */
export function sortRows(rows: readonly NodeStatus[], sort: NodeSort): NodeStatus[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = rows.map((status) => ({ status, value: valueOf(status, sort.key) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value !== b.value) return a.value === null ? 1 : -1;
    } else {
      const order = compareValues(a.value, b.value);
      if (order !== 0) return sign * order;
    }
    return sort.key === 'name' ? 0 : natural.compare(a.status.spec.name, b.status.spec.name);
  });
  return keyed.map((k) => k.status);
}
