import { create } from 'zustand';
import type { CellTraceEvent } from '../../../shared/contract/cells.js';
import { backend } from '../connection/backend.js';

interface CellTraceData {
  cell: string | null;
  instance: string | null;
  /** In Treadmill's order: `when`, then as written. */
  events: CellTraceEvent[];
  loading: boolean;
  error: string | null;
}

interface CellTraceActions {
  /** Shows one instance's trace: read once, then followed from the cell's deltas. */
  open(target: { cell: string; instance: string } | null): void;
  /** Events from a delta: those of the open instance are kept. */
  add(events: readonly CellTraceEvent[]): void;
}

const initial = (): CellTraceData => ({ cell: null, instance: null, events: [], loading: false, error: null });

/** Merged by node name (unique within the instance's shard): an event both read and delivered shows once. */
function merge(held: readonly CellTraceEvent[], more: readonly CellTraceEvent[]): CellTraceEvent[] {
  const seen = new Set(held.map((event) => event.node));
  const added = more.filter((event) => !seen.has(event.node) && (seen.add(event.node), true));
  if (added.length === 0) return held as CellTraceEvent[];
  return [...held, ...added].sort((a, b) => a.when - b.when);
}

/** The open app's `treadmill trace`, live. */
export const useCellTrace = create<CellTraceData & CellTraceActions>()((set, get) => {
  let generation = 0;
  return {
    ...initial(),
    open(target) {
      if (target?.cell === get().cell && target?.instance === get().instance) return;
      const mine = ++generation;
      set({ ...initial(), cell: target?.cell ?? null, instance: target?.instance ?? null, loading: target !== null });
      if (target === null) return;
      backend()
        .request('cells.trace', target)
        .then((events) => {
          if (mine === generation) set((s) => ({ events: merge(s.events, events), loading: false }));
        })
        .catch((error: unknown) => {
          if (mine === generation) set({ loading: false, error: `Could not read the trace of ${target.instance}: ${error instanceof Error ? error.message : String(error)}` });
        });
    },
    add(events) {
      const { instance } = get();
      if (instance === null) return;
      const mine = events.filter((event) => event.instance === instance);
      if (mine.length > 0) set((s) => ({ events: merge(s.events, mine) }));
    },
  };
});
