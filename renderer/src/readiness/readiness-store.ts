import { create } from 'zustand';
import type { ReadinessReport, SlipwayEvent, ToolCheck } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';

interface Probe {
  total: number;
  tools: ToolCheck[];
}

interface ReadinessState {
  report: ReadinessReport | null;
  /** A probe in flight, filled tool by tool from events. */
  probe: Probe | null;
  loading: boolean;
  error: string | null;
  load(): Promise<void>;
  check(): Promise<void>;
  apply(event: SlipwayEvent): void;
}

export const useReadiness = create<ReadinessState>()((set) => ({
  report: null,
  probe: null,
  loading: false,
  error: null,

  async load() {
    set({ loading: true });
    try {
      const report = await backend().request('readiness.get', {});
      set((state) => ({ report: report ?? state.report, loading: false }));
    } catch (error) {
      set({ loading: false, error: (error as Error).message });
    }
  },

  async check() {
    set({ error: null, probe: { total: 0, tools: [] } });
    try {
      const report = await backend().request('readiness.check', {});
      set({ report, probe: null });
    } catch (error) {
      set({ probe: null, error: (error as Error).message });
    }
  },

  apply(event) {
    switch (event.topic) {
      case 'readiness.started':
        set({ error: null, probe: { total: event.payload.total, tools: [] } });
        break;
      case 'readiness.tool':
        set((state) => ({
          probe: {
            total: state.probe?.total ?? 0,
            tools: [...(state.probe?.tools ?? []).filter((t) => t.name !== event.payload.name), event.payload],
          },
        }));
        break;
      case 'readiness.report':
        set({ report: event.payload, probe: null, error: null });
        break;
      case 'readiness.failed':
        set({ probe: null, error: event.payload.message });
        break;
      default:
        break;
    }
  },
}));

export interface ReadinessSummary {
  found: number;
  missingRequired: number;
  missingOptional: number;
}

export function summarize(tools: readonly ToolCheck[]): ReadinessSummary {
  return {
    found: tools.filter((t) => t.found).length,
    missingRequired: tools.filter((t) => !t.found && t.required).length,
    missingOptional: tools.filter((t) => !t.found && !t.required).length,
  };
}
