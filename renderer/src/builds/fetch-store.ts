import { create } from 'zustand';
import type { FetchedFile, SlipwayEvent } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';

/** One build's "Fetch artifacts": where to, how far each file is, and what came of it. */
export interface BuildFetch {
  to: string;
  state: 'running' | 'done' | 'failed';
  /** Bytes here so far of each file, by name, in the order they started. */
  progress: Record<string, { done: number; total: number }>;
  files: FetchedFile[];
  error: string | null;
}

interface FetchState {
  fetches: Record<string, BuildFetch>;
  fetch(id: string, to: string): Promise<void>;
  apply(event: SlipwayEvent): void;
}

export const useFetches = create<FetchState>()((set, get) => {
  const patch = (id: string, change: Partial<BuildFetch>) =>
    set((state) => ({ fetches: { ...state.fetches, [id]: { ...state.fetches[id]!, ...change } } }));
  return {
    fetches: {},
    async fetch(id, to) {
      if (get().fetches[id]?.state === 'running') return;
      set((state) => ({ fetches: { ...state.fetches, [id]: { to, state: 'running', progress: {}, files: [], error: null } } }));
      try {
        const { files } = await backend().request('builds.fetch', { id, to });
        patch(id, { state: 'done', files });
      } catch (error) {
        patch(id, { state: 'failed', error: error instanceof Error ? error.message : String(error) });
      }
    },
    apply(event) {
      if (event.topic !== 'builds.fetchProgress') return;
      const { id, file, done, total } = event.payload;
      const current = get().fetches[id];
      // Progress of a fetch another console started: shown too, from its first event.
      const base = current ?? { to: '', state: 'running' as const, progress: {}, files: [], error: null };
      set((state) => ({ fetches: { ...state.fetches, [id]: { ...base, progress: { ...base.progress, [file]: { done, total } } } } }));
    },
  };
});

/** Bytes fetched of all files started so far, and their total: one bar for the whole fetch. */
export function fetchTotals(fetch: BuildFetch): { done: number; total: number } {
  const files = Object.values(fetch.progress);
  return { done: files.reduce((sum, file) => sum + file.done, 0), total: files.reduce((sum, file) => sum + file.total, 0) };
}
