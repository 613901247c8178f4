import type { ContainerDelta, ContainerRow, ContainerRowKey, ContainerScanMeta } from '../../../shared/contract/index.js';

/**
 * Every node's rows as the console holds them: by key (node, instance,
 * unique name) for lookups, and per node in instance order for the table. A
 * delta touches only the rows it names: the node's ordered list is copied
 * once and the few rows placed by binary search, never the whole list
 * resorted; other nodes' lists are the same arrays as before. The key map
 * is updated in place (copying 10,000 entries per delta was most of a
 * delta's cost): only the newest index is read, and a new index object
 * still tells the store's subscribers that rows changed.
 */
export interface RowIndex {
  byKey: ReadonlyMap<string, ContainerRow>;
  byNode: Readonly<Record<string, readonly ContainerRow[]>>;
}

export const emptyRowIndex = (): RowIndex => ({ byKey: new Map(), byNode: {} });

/** A row's key across nodes. */
export const rowId = (node: string, key: ContainerRowKey): string => `${node}\n${key.instance}\n${key.unique ?? ''}`;

// Instance ids are zero-padded, so plain comparison orders them; a collator would be slow on 10,000 rows.
export const byInstance = (a: ContainerRowKey, b: ContainerRowKey): number => {
  const [ua, ub] = [a.unique ?? '', b.unique ?? ''];
  return a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : ua < ub ? -1 : ua > ub ? 1 : 0;
};

/** Where `key` is, or would go, in a list in instance order. */
function place(list: readonly ContainerRow[], key: ContainerRowKey): { at: number; found: boolean } {
  let [lo, hi] = [0, list.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = byInstance(list[mid]!, key);
    if (order === 0) return { at: mid, found: true };
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return { at: lo, found: false };
}

/** A node's snapshot replaces its rows. */
export function withSnapshot(index: RowIndex, node: string, rows: readonly ContainerRow[]): RowIndex {
  const byKey = index.byKey as Map<string, ContainerRow>;
  for (const row of index.byNode[node] ?? []) byKey.delete(rowId(node, row));
  for (const row of rows) byKey.set(rowId(node, row), row);
  return { byKey, byNode: { ...index.byNode, [node]: [...rows].sort(byInstance) } };
}

/** A node's delta: its removed rows out, its changed rows replaced, its added rows in place. */
export function withDelta(index: RowIndex, node: string, delta: Extract<ContainerDelta, { added: unknown }>): RowIndex {
  if (delta.added.length + delta.changed.length + delta.removed.length === 0) return index;
  const byKey = index.byKey as Map<string, ContainerRow>;
  const list = [...(index.byNode[node] ?? [])];
  for (const key of delta.removed) {
    byKey.delete(rowId(node, key));
    const spot = place(list, key);
    if (spot.found) list.splice(spot.at, 1);
  }
  for (const row of [...delta.changed, ...delta.added]) {
    byKey.set(rowId(node, row), row);
    const spot = place(list, row);
    if (spot.found) list[spot.at] = row;
    else list.splice(spot.at, 0, row);
  }
  return { byKey, byNode: { ...index.byNode, [node]: list } };
}

/** Nodes no longer followed (no longer Treadmill nodes) go, with their rows. */
export function withoutNodes(index: RowIndex, keep: ReadonlySet<string>): RowIndex {
  const gone = Object.keys(index.byNode).filter((node) => !keep.has(node));
  if (gone.length === 0) return index;
  const byKey = index.byKey as Map<string, ContainerRow>;
  const byNode = { ...index.byNode };
  for (const node of gone) {
    for (const row of byNode[node] ?? []) byKey.delete(rowId(node, row));
    delete byNode[node];
  }
  return { byKey, byNode };
}

/** What the console shows of a node's scan besides its rows: when, how long, what went wrong, how many rows. */
export type NodeScanView = ContainerScanMeta & { count: number };
