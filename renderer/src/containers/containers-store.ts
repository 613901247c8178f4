import { create } from 'zustand';
import type { ContainerRow, ContainerScan, ContainerState, SlipwayEvent } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { allRows, countStates, defaultSort, filterRows, lastResult, noContainerFilter, shownRows, sortScans, type ContainerFilter, type ContainerSort, type SortKey } from './container-rows.js';

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
function listed(selected: ContainerKey | null, scan: ContainerScan): ContainerKey | null {
  if (!selected?.listing || selected.node !== scan.node || !scan.rows.some((row) => isRow(row, selected))) return selected;
  return { node: selected.node, instance: selected.instance, unique: selected.unique };
}

interface ContainersData {
  /** Each node's latest scan, by node: a fresh scan replaces the node's rows. Rows are derived where shown, never kept twice. */
  scans: Record<string, ContainerScan>;
  loaded: boolean;
  filter: ContainerFilter;
  sort: ContainerSort;
  selected: ContainerKey | null;
  error: string | null;
}

interface ContainersActions {
  load(): Promise<void>;
  apply(event: SlipwayEvent): void;
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
  loaded: false,
  filter: noContainerFilter,
  sort: defaultSort,
  selected: null,
  error: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The newer of two scans of a node: an event can be overtaken by the list's answer, and the other way round. */
const newer = (held: ContainerScan | undefined, scan: ContainerScan) => (held && Date.parse(held.scannedAt) > Date.parse(scan.scannedAt) ? held : scan);

export const useContainers = create<ContainersState>()((set) => ({
  ...initialContainersData(),

  async load() {
    try {
      const list = await backend().request('containers.list', {});
      set((s) => ({
        // Every Treadmill node is in the answer: a node missing from it is no longer one.
        scans: Object.fromEntries(list.map((scan) => [scan.node, newer(s.scans[scan.node], scan)])),
        filter: s.filter.node !== null && !list.some((scan) => scan.node === s.filter.node) ? { ...s.filter, node: null } : s.filter,
        selected: list.reduce(listed, s.selected),
        loaded: true,
        error: null,
      }));
    } catch (error) {
      set({ error: `Could not scan the Treadmill nodes: ${messageOf(error)}` });
    }
  },

  apply(event) {
    if (event.topic !== 'containers.scan') return;
    const scan = event.payload;
    set((s) => {
      const kept = newer(s.scans[scan.node], scan);
      return kept === s.scans[scan.node] ? {} : { scans: { ...s.scans, [scan.node]: kept }, selected: listed(s.selected, kept) };
    });
  },

  showNode: (node) => set((s) => ({ filter: { ...s.filter, node } })),
  setApp: (app) => set((s) => ({ filter: { ...s.filter, app } })),
  showState: (state) => set((s) => ({ filter: { ...s.filter, state } })),
  sortBy: (key) => set((s) => ({ sort: { key, dir: s.sort.key === key && s.sort.dir === 'asc' ? 'desc' : 'asc' } })),
  select: (selected) => set({ selected }),
  dismissError: () => set({ error: null }),
}));

const scanList = lastResult(sortScans);
const everyRow = lastResult(allRows);
const filtered = lastResult(filterRows);
const counted = lastResult(countStates);
const shown = lastResult(shownRows);

/** Node by node, in natural order. */
export const selectScans = (s: ContainersState) => scanList(s.scans);
export const selectAllRows = (s: ContainersState) => everyRow(selectScans(s));
/** Rows of the node and app filters, whatever their state: the counts per state are theirs. */
export const selectFilteredRows = (s: ContainersState) => filtered(selectAllRows(s), s.filter.node, s.filter.app);
export const selectStateCounts = (s: ContainersState) => counted(selectFilteredRows(s));
export const selectShownRows = (s: ContainersState) => shown(selectFilteredRows(s), s.filter.state, s.sort);

/** The selected container as its node's last scan found it; null once the node no longer has it (cleaned up). */
export function selectSelectedRow(s: ContainersState): ContainerRow | null {
  const key = s.selected;
  if (!key) return null;
  return s.scans[key.node]?.rows.find((row) => isRow(row, key)) ?? null;
}

export const keyOf = (row: ContainerRow): ContainerKey => ({ node: row.node, instance: row.instance, unique: row.unique });
