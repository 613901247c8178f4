import { create } from 'zustand';
import type { SlipwayEvent, TraceLine, TraceStream } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { noTraceFilter, TraceBuffer, type TraceFilter } from './trace-buffer.js';

/** The contract's largest page. */
const tracePageSize = 5_000;

interface TracesData {
  /** The run whose traces are held: the selected run. */
  runId: string | null;
  buffer: TraceBuffer;
  /** Changes whenever `buffer` grows. */
  revision: number;
  /** Lines the backend holds, as far as the store knows. */
  total: number;
  loading: boolean;
  filter: TraceFilter;
  error: string | null;
}

interface TracesActions {
  /** Shows this run's traces: fetched from the start, then followed. */
  open(runId: string | null): void;
  /** After a resync: fetches what is missing from where the buffer stops. */
  reload(): void;
  apply(event: SlipwayEvent): void;
  showNode(node: string | null): void;
  toggleStream(stream: TraceStream): void;
}

export type TracesState = TracesData & TracesActions;

export const initialTracesData = (): TracesData => ({
  runId: null,
  buffer: new TraceBuffer(),
  revision: 0,
  total: 0,
  loading: false,
  filter: noTraceFilter,
  error: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const useTraces = create<TracesState>()((set, get) => {
  /** Batches that arrived while pages were being fetched: applied after them, duplicates skipped. */
  let held: TraceLine[][] = [];
  let filling: TraceBuffer | null = null;

  const current = (buffer: TraceBuffer) => get().buffer === buffer;

  /** Pages from the end of the buffer to the backend's end, then the held batches; again if they show a gap. */
  async function fill(): Promise<void> {
    const { buffer, runId } = get();
    if (runId === null || filling === buffer) return;
    filling = buffer;
    set({ loading: true });
    try {
      for (let again = true; again; ) {
        for (;;) {
          const page = await backend().request('apps.traces', { id: runId, from: buffer.length, count: tracePageSize });
          if (!current(buffer)) return;
          buffer.append(page.lines);
          set((s) => ({ revision: s.revision + 1, total: Math.max(page.total, buffer.length) }));
          if (page.lines.length === 0 || buffer.length >= page.total) break;
        }
        const batches = held;
        held = [];
        again = batches.some((batch) => buffer.append(batch).gap);
        set((s) => ({ revision: s.revision + 1, total: Math.max(s.total, buffer.length) }));
      }
    } catch (error) {
      if (current(buffer)) set({ error: `Could not load the traces: ${messageOf(error)}` });
    } finally {
      if (filling === buffer) filling = null;
      if (current(buffer)) set({ loading: false });
    }
  }

  return {
    ...initialTracesData(),

    open(runId) {
      if (get().runId === runId) return;
      held = [];
      set({ ...initialTracesData(), runId, filter: { ...noTraceFilter, streams: get().filter.streams } });
      void fill();
    },

    reload() {
      void fill();
    },

    apply(event) {
      if (event.topic !== 'apps.trace') return;
      const { id, lines } = event.payload;
      const { runId, buffer } = get();
      if (id !== runId || lines.length === 0) return;
      if (filling === buffer) {
        held.push(lines);
        return;
      }
      const { gap } = buffer.append(lines);
      set((s) => ({ revision: s.revision + 1, total: Math.max(s.total, buffer.length) }));
      // Events were dropped (a resync is coming, or came): fetch from where the buffer stops.
      if (gap) void fill();
    },

    showNode: (node) => set((s) => ({ filter: { ...s.filter, node } })),
    toggleStream: (stream) =>
      set((s) => ({ filter: { ...s.filter, streams: s.filter.streams.includes(stream) ? s.filter.streams.filter((x) => x !== stream) : [...s.filter.streams, stream] } })),
  };
});
