import { create } from 'zustand';
import type { ContainerDelta, ContainerRow, ContainerState } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { emptyRowIndex, rowId, withDelta, withoutNodes, withSnapshot, type NodeScanView, type RowIndex } from './container-row-index.js';
import { allRows, countStates, defaultSort, type StateCounts, filterRows, lastResult, noContainerFilter, shownRows, sortScans, type ContainerFilter, type ContainerSort, type SortKey } from './container-rows.js';

/** A container as the operator picked it: its unique name says which directory (none for one only placed), node and instance say whose trace. */
export interface ContainerKey {
  node: string;
  instance: string;
  unique: string | null;
  /** Just configured: no scan of its node has listed it yet (the configure answers before the rescan). */
  listing?: boolean;
}

/** The row the key names: by unique name, and by instance for one that has none yet. */
export const isRow = (row: ContainerRow, key: Pick<ContainerKey, 'unique' | 'instance'>) => row.unique === key.unique && row.instance === key.instance;

/** A just-configured selection stops waiting once a scan of its node lists it. */
function listed(selected: ContainerKey | null, rows: RowIndex): ContainerKey | null {
  if (!selected?.listing || !rows.byKey.has(rowId(selected.node, selected))) return selected;
  return { node: selected.node, instance: selected.instance, unique: selected.unique };
}

interface ContainersData {
  /** Each node's last scan (when, how long, what went wrong, how many rows), by node. */
  scans: Record<string, NodeScanView>;
  /** Every row, by key and per node in order: a delta replaces the rows it names (container-row-index.ts). */
  rows: RowIndex;
  /** The last delta applied per node: one that does not follow is a gap, and snapshots are fetched again. */
  seq: Record<string, number>;
  /** The Treadmill nodes followed (some may have no scan yet). */
  followed: string[];
  loaded: boolean;
  filter: ContainerFilter;
  sort: ContainerSort;
  selected: ContainerKey | null;
  error: string | null;
}

interface ContainersActions {
  /** Follows every Treadmill node: their snapshots come as client events, then their deltas. */
  load(): Promise<void>;
  /** A node's snapshot or delta as received: those of one frame are applied together, after it (applyDeltas). */
  applyDelta(delta: ContainerDelta): void;
  /** Snapshots and deltas, in order, with one `set()`; a gap fetches the snapshots again. */
  applyDeltas(deltas: readonly ContainerDelta[]): void;
  showNode(node: string | null): void;
  setApp(app: string): void;
  showState(state: ContainerState | null): void;
  /** A first click sorts ascending, the next one descending. */
  sortBy(key: SortKey): void;
  select(key: ContainerKey | null): void;
  dismissError(): void;
}

export type ContainersState = ContainersData & ContainersActions;

export const initialContainersData = (): ContainersData => ({
  scans: {},
  rows: emptyRowIndex(),
  seq: {},
  followed: [],
  loaded: false,
  filter: noContainerFilter,
  sort: defaultSort,
  selected: null,
  error: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

let refetching: Promise<void> | null = null;
let pending: ContainerDelta[] = [];

function applyDeltas(deltas: readonly ContainerDelta[], set: (partial: Partial<ContainersData>) => void, get: () => ContainersState): void {
  const s = get();
  let { rows, scans, seq, selected } = s;
  let gap = false;
  for (const delta of deltas) {
    if ('snapshot' in delta) {
      const { rows: list, ...meta } = delta.snapshot;
      rows = withSnapshot(rows, delta.node, list);
      scans = { ...scans, [delta.node]: { ...meta, count: list.length } };
    } else if (seq[delta.node] !== delta.seq - 1) {
      // A delta missed: what is held of the node may be wrong; the snapshots come again (once, however many deltas follow).
      gap = true;
      continue;
    } else {
      rows = withDelta(rows, delta.node, delta);
      scans = { ...scans, [delta.node]: { ...delta.scan, count: rows.byNode[delta.node]?.length ?? 0 } };
    }
    seq = { ...seq, [delta.node]: delta.seq };
  }
  if (rows !== s.rows) selected = listed(selected, rows);
  set({ rows, scans, seq, selected });
  if (gap) refetching ??= get().load().finally(() => (refetching = null));
}

export const useContainers = create<ContainersState>()((set, get) => ({
  ...initialContainersData(),

  async load() {
    try {
      const { nodes } = await backend().request('containers.subscribe', {});
      const keep = new Set(nodes);
      set((s) => ({
        // Every Treadmill node is in the answer: a node missing from it is no longer one.
        followed: nodes,
        scans: Object.fromEntries(Object.entries(s.scans).filter(([node]) => keep.has(node))),
        rows: withoutNodes(s.rows, keep),
        filter: s.filter.node !== null && !keep.has(s.filter.node) ? { ...s.filter, node: null } : s.filter,
        loaded: true,
        error: null,
      }));
    } catch (error) {
      set({ error: `Could not scan the Treadmill nodes: ${messageOf(error)}` });
    }
  },

  applyDelta(delta) {
    // The deltas of one frame (one per node a rescan read) are applied together: one set(), one render.
    pending.push(delta);
    if (pending.length === 1)
      queueMicrotask(() => {
        const deltas = pending;
        pending = [];
        get().applyDeltas(deltas);
      });
  },

  applyDeltas: (deltas) => applyDeltas(deltas, set, get),

  showNode: (node) => set((s) => ({ filter: { ...s.filter, node } })),
  setApp: (app) => set((s) => ({ filter: { ...s.filter, app } })),
  showState: (state) => set((s) => ({ filter: { ...s.filter, state } })),
  sortBy: (key) => set((s) => ({ sort: { key, dir: s.sort.key === key && s.sort.dir === 'asc' ? 'desc' : 'asc' } })),
  select: (selected) => set({ selected }),
  dismissError: () => set({ error: null }),
}));

const scanList = lastResult(sortScans<NodeScanView>);
const everyRow = lastResult(allRows);
const filtered = lastResult(filterRows);
const counted = lastResult(countStates);
const shown = lastResult(shownRows);

/** Node by node, in natural order. */
export const selectScans = (s: ContainersState) => scanList(s.scans);
export const selectAllRows = (s: ContainersState) => everyRow(selectScans(s), s.rows.byNode);
/** Rows of the node and app filters, whatever their state: the counts per state are theirs. */
export const selectFilteredRows = (s: ContainersState) => filtered(selectAllRows(s), s.filter.node, s.filter.app);
/** Counted per node and summed while no filter is set: a delta recounts only its node's rows. */
const nodeCounts = new WeakMap<readonly ContainerRow[], StateCounts>();
const countNode = (rows: readonly ContainerRow[]) => {
  let counts = nodeCounts.get(rows);
  if (!counts) nodeCounts.set(rows, (counts = countStates(rows)));
  return counts;
};
const summed = lastResult((byNode: RowIndex['byNode']) => {
  const total = countStates([]);
  for (const rows of Object.values(byNode)) for (const [state, n] of Object.entries(countNode(rows))) total[state as ContainerState] += n;
  return total;
});
export const selectStateCounts = (s: ContainersState) => (s.filter.node === null && s.filter.app.trim() === '' ? summed(s.rows.byNode) : counted(selectFilteredRows(s)));
export const selectShownRows = (s: ContainersState) => shown(selectFilteredRows(s), s.filter.state, s.sort);

/** The selected container as its node's last scan found it; null once the node no longer has it (cleaned up). */
export function selectSelectedRow(s: ContainersState): ContainerRow | null {
  const key = s.selected;
  if (!key) return null;
  return s.rows.byKey.get(rowId(key.node, key)) ?? null;
}

/** A node's row by instance name (deep links name a container by node and instance). */
export function findRow(s: ContainersState, node: string, instance: string): ContainerRow | null {
  return s.rows.byNode[node]?.find((row) => row.instance === instance) ?? null;
}

export const keyOf = (row: ContainerRow): ContainerKey => ({ node: row.node, instance: row.instance, unique: row.unique });
