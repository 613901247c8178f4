import { create } from 'zustand';
import type { BuildHostReport } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';

interface BuildHostsState {
  /** The last report per build host, this session. */
  reports: Record<string, BuildHostReport>;
  /** Hosts being probed now. */
  checking: Record<string, boolean>;
  /** Why the last probe of a host failed (it did not answer, it is not a build host…). */
  errors: Record<string, string>;
  /** Probes the host over its pooled connection: the Host readiness tools, and root or passwordless sudo. */
  check(node: string): Promise<void>;
}

const without = <T,>(record: Record<string, T>, key: string): Record<string, T> => {
  const { [key]: _gone, ...rest } = record;
  return rest;
};

/** Build hosts' readiness, as the Nodes view shows it in a build host's detail. */
export const useBuildHosts = create<BuildHostsState>()((set, get) => ({
  reports: {},
  checking: {},
  errors: {},
  async check(node) {
    if (get().checking[node]) return;
    set((s) => ({ checking: { ...s.checking, [node]: true } }));
    try {
      const report = await backend().request('nodes.buildHostReadiness', { name: node });
      set((s) => ({ reports: { ...s.reports, [node]: report }, errors: without(s.errors, node) }));
    } catch (error) {
      set((s) => ({ errors: { ...s.errors, [node]: error instanceof Error ? error.message : String(error) } }));
    } finally {
      set((s) => ({ checking: without(s.checking, node) }));
    }
  },
}));
