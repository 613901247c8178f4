import { create } from 'zustand';
import type { ContainerEventLine, SlipwayEvent } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { mergeTimeline } from './container-format.js';

interface TraceData {
  /** Whose timeline is held: the selected container's node and instance. */
  node: string | null;
  instance: string | null;
  /** Oldest first. */
  lines: ContainerEventLine[];
  loading: boolean;
  error: string | null;
}

interface TraceActions {
  /** Shows this instance's timeline: fetched, then followed from `containers.events`. */
  open(target: { node: string; instance: string } | null): void;
  /** After a resync: fetches the timeline again, keeping what is held. */
  reload(): void;
  apply(event: SlipwayEvent): void;
}

export type ContainerTraceState = TraceData & TraceActions;

export const initialTraceData = (): TraceData => ({ node: null, instance: null, lines: [], loading: false, error: null });

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One instance's `treadmill trace`, live. */
export const useContainerTrace = create<ContainerTraceState>()((set, get) => {
  /** Bumped by every open: an answer for an instance no longer shown is dropped. */
  let generation = 0;

  async function fetchTrace(): Promise<void> {
    const { node, instance } = get();
    if (node === null || instance === null) return;
    const mine = ++generation;
    set({ loading: true, error: null });
    try {
      const lines = await backend().request('containers.trace', { node, instance });
      // Events that came while the request was out are held already: merged, not lost.
      if (mine === generation) set((s) => ({ lines: mergeTimeline(s.lines, lines), loading: false }));
    } catch (error) {
      if (mine === generation) set({ loading: false, error: `Could not read the events of ${instance}: ${messageOf(error)}` });
    }
  }

  return {
    ...initialTraceData(),

    open(target) {
      const { node, instance } = get();
      if (target?.node === node && target?.instance === instance) return;
      generation += 1;
      set({ ...initialTraceData(), node: target?.node ?? null, instance: target?.instance ?? null });
      void fetchTrace();
    },

    reload() {
      void fetchTrace();
    },

    apply(event) {
      if (event.topic !== 'containers.events') return;
      const { node, instance } = get();
      if (event.payload.node !== node) return;
      const mine = event.payload.events.filter((line) => line.instance === instance);
      if (mine.length > 0) set((s) => ({ lines: mergeTimeline(s.lines, mine) }));
    },
  };
});
