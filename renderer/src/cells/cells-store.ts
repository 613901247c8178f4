import { create } from 'zustand';
import type { CellApp, CellConnection, CellListing, CellStreamEvent } from '../../../shared/contract/cells.js';
import { backend } from '../connection/backend.js';
import { lastResult } from '../lib/last-result.js';
import { perFrame } from '../lib/per-frame.js';
import { useCellTrace } from './cell-trace-store.js';
import { applyCellDelta, defaultCellSort, distinct, emptyCellRows, filterApps, noCellAppFilter, rowsOfSnapshot, sortApps, sortServers, type CellAppFilter, type CellRows, type CellSort, type CellSortKey } from './cell-rows.js';

export type CellTab = 'apps' | 'servers' | 'problems';

interface CellsData {
  /** The registry, with each cell's live connection. */
  cells: CellListing[];
  listed: boolean;
  /** The cell in view (followed), or none. */
  current: string | null;
  connection: CellConnection | null;
  rows: CellRows;
  /** The last snapshot or delta applied; 0 before the first snapshot. */
  seq: number;
  traceEvents: number;
  filter: CellAppFilter;
  sort: CellSort;
  tab: CellTab;
  /** The app whose detail is open (its instance name). */
  selected: string | null;
  error: string | null;
}

interface CellsActions {
  list(): Promise<void>;
  /** Adds a cell to the registry; resolves to the error's words, or null when added (and then shown). */
  add(name: string, url: string): Promise<string | null>;
  /** Follows this cell (and no other): its snapshot comes as a client event, then its deltas. */
  show(cell: string | null): Promise<void>;
  /** Subscribes again: after a gap or a reconnected backend. */
  refetch(): Promise<void>;
  /** A snapshot or delta as received: applied with the others of the frame, in one set(). */
  receive(event: CellStreamEvent): void;
  applyAll(events: readonly CellStreamEvent[]): void;
  setFilter(change: Partial<CellAppFilter>): void;
  sortBy(key: CellSortKey): void;
  setTab(tab: CellTab): void;
  select(instance: string | null): void;
  dismissError(): void;
}

export type CellsState = CellsData & CellsActions;

export const initialCellsData = (): CellsData => ({
  cells: [],
  listed: false,
  current: null,
  connection: null,
  rows: emptyCellRows(),
  seq: 0,
  traceEvents: 0,
  filter: noCellAppFilter,
  sort: defaultCellSort,
  tab: 'apps',
  selected: null,
  error: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

let received: CellStreamEvent[] = [];
let refetching: Promise<void> | null = null;

export const useCells = create<CellsState>()((set, get) => {
  // A burst of deltas (1,000 changes) lands as one set() and one render per frame.
  const flush = perFrame(() => {
    const events = received;
    received = [];
    get().applyAll(events);
  });

  return {
    ...initialCellsData(),

    async list() {
      try {
        const cells = await backend().request('cells.list', {});
        set({ cells, listed: true });
      } catch (error) {
        set({ listed: true, error: `Could not list the cells: ${messageOf(error)}` });
      }
    },

    async add(name, url) {
      try {
        await backend().request('cells.add', { name, url });
      } catch (error) {
        return messageOf(error);
      }
      await get().list();
      await get().show(name);
      return null;
    },

    async show(cell) {
      const previous = get().current;
      if (cell === previous && (cell === null || get().seq > 0)) return;
      received = [];
      set({ current: cell, connection: null, rows: emptyCellRows(), seq: 0, traceEvents: 0, filter: noCellAppFilter, selected: null, error: null });
      useCellTrace.getState().open(null);
      try {
        if (previous !== null && previous !== cell) await backend().request('cells.unsubscribe', { cell: previous });
        if (cell !== null) await backend().request('cells.subscribe', { cell });
      } catch (error) {
        if (get().current === cell) set({ error: `Could not follow the cell ${cell}: ${messageOf(error)}` });
      }
    },

    async refetch() {
      const cell = get().current;
      if (cell === null) return;
      refetching ??= backend()
        .request('cells.subscribe', { cell })
        .then(() => undefined)
        .catch((error: unknown) => set({ error: `Could not follow the cell ${cell}: ${messageOf(error)}` }))
        .finally(() => (refetching = null));
      await refetching;
    },

    receive(event) {
      received.push(event);
      flush();
    },

    applyAll(events) {
      const s = get();
      let { rows, seq, connection, traceEvents } = s;
      let changed = false;
      let gap = false;
      const newEvents = [];
      for (const event of events) {
        if (event.cell !== s.current) continue;
        if (event.kind === 'snapshot') {
          rows = rowsOfSnapshot(event, rows.version + 1);
          ({ seq, connection, traceEvents } = event);
          gap = false;
          continue;
        }
        // Deltas after a gap wait for the snapshot the refetch brings.
        if (gap || event.seq !== seq + 1) {
          gap = true;
          continue;
        }
        applyCellDelta(rows, event);
        changed = true;
        seq = event.seq;
        if (event.connection) connection = event.connection;
        traceEvents += event.events.length;
        newEvents.push(...event.events);
      }
      if (changed && rows === s.rows) rows = { ...rows, version: rows.version + 1 };
      set({ rows, seq, connection, traceEvents });
      if (newEvents.length > 0) useCellTrace.getState().add(newEvents);
      if (gap) void get().refetch();
    },

    setFilter: (change) => set((s) => ({ filter: { ...s.filter, ...change } })),
    sortBy: (key) => set((s) => ({ sort: { key, dir: s.sort.key === key && s.sort.dir === 'asc' ? 'desc' : 'asc' } })),
    setTab: (tab) => set({ tab }),
    select(instance) {
      set({ selected: instance });
      const cell = get().current;
      useCellTrace.getState().open(cell !== null && instance !== null ? { cell, instance } : null);
    },
    dismissError: () => set({ error: null }),
  };
});

// Derived lists, recomputed when the rows' version, the sort or the filter moves; the same array otherwise.
// Sorted once per change of the rows or the order, then filtered in that order: typing a filter is one
// pass over 50,000 rows, never a sort.
const sortedAll = lastResult((_version: number, rows: CellRows, sort: CellSort) => sortApps([...rows.apps.values()], sort));
const filtered = lastResult((all: CellApp[], servers: CellRows['servers'], filter: CellAppFilter) => filterApps(all, servers, filter));
const servers = lastResult((_version: number, rows: CellRows) => sortServers(rows.servers.values()));
const hosts = lastResult((list: readonly { host: string }[]) => list.map((server) => server.host));
const proids = lastResult((_version: number, rows: CellRows) => distinct(rows.apps.values(), (app) => app.proid));
const partitions = lastResult((_version: number, rows: CellRows) => distinct(rows.servers.values(), (server) => server.partition));
const problems = lastResult((_version: number, rows: CellRows) => [...rows.problems.values()].sort((a, b) => (a.path < b.path ? -1 : 1)));

const filteredOf = (s: CellsState) => filtered(sortedAll(s.rows.version, s.rows, s.sort), s.rows.servers, s.filter);
export const selectShownApps = (s: CellsState) => filteredOf(s).kept;
export const selectStateCounts = (s: CellsState) => filteredOf(s).counts;
export const selectServers = (s: CellsState) => servers(s.rows.version, s.rows);
export const selectHosts = (s: CellsState) => hosts(selectServers(s));
export const selectProids = (s: CellsState) => proids(s.rows.version, s.rows);
export const selectPartitions = (s: CellsState) => partitions(s.rows.version, s.rows);
export const selectProblems = (s: CellsState) => problems(s.rows.version, s.rows);
export const selectApp = (s: CellsState) => (s.selected === null ? null : (s.rows.apps.get(s.selected) ?? null));
export const selectAppCount = (s: CellsState) => s.rows.apps.size;
