import { create } from 'zustand';
import type { DeployLogLine, DeployRequestInput, DeployStep, DeploySummary, ResponseOf, SlipwayEvent } from '../../../shared/contract/index.js';
import { LogBuffer } from '../lib/log-buffer.js';
import { createLogFill } from '../lib/log-fill.js';
import { HostError } from '../host/frame-client.js';
import { host } from '../host/host.js';

export type DeployCatalog = ResponseOf<'deploy.catalog'>;
export type StartOutcome = { ok: true; id: string } | { ok: false; message: string; field: string | null };

/** The contract's largest page. */
const logPageSize = 5_000;

export interface SelectedDeploy {
  id: string;
  /** Null until `deploy.get` or `deploy.started` gave them. */
  steps: DeployStep[] | null;
  /** As the backend keeps it: secret-looking values masked. */
  env: Record<string, string> | null;
}

interface DeployData {
  catalog: DeployCatalog | null;
  /** Newest first; the selected deploy's summary is read from here. */
  history: DeploySummary[];
  selected: SelectedDeploy | null;
  log: LogBuffer<DeployLogLine>;
  logRevision: number;
  logTotal: number;
  logLoading: boolean;
  starting: boolean;
  error: string | null;
}

interface DeployActions {
  load(): Promise<void>;
  loadCatalog(): Promise<void>;
  start(request: DeployRequestInput): Promise<StartOutcome>;
  select(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
  apply(event: SlipwayEvent): void;
  dismissError(): void;
}

export type DeployState = DeployData & DeployActions;

export const initialDeployData = (): DeployData => ({
  catalog: null,
  history: [],
  selected: null,
  log: new LogBuffer<DeployLogLine>(),
  logRevision: 0,
  logTotal: 0,
  logLoading: false,
  starting: false,
  error: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function upsert(history: readonly DeploySummary[], summary: DeploySummary): DeploySummary[] {
  return [summary, ...history.filter((d) => d.id !== summary.id)].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export const useDeploy = create<DeployState>()((set, get) => {
  const isSelected = (id: string) => get().selected?.id === id;
  const fillLog = createLogFill<DeployLogLine>({
    buffer: (id) => (isSelected(id) ? get().log : null),
    page: (id, from) => host().request('deploy.logs', { id, from, count: logPageSize }),
    appended: (total) => set((s) => ({ logRevision: s.logRevision + 1, logTotal: Math.max(s.logTotal, total) })),
    loading: (on) => set({ logLoading: on }),
    failed: (error) => set({ error: `Could not load the deploy log: ${messageOf(error)}` }),
  });

  async function refreshSelected(id: string): Promise<void> {
    try {
      const detail = await host().request('deploy.get', { id });
      if (!isSelected(id)) return;
      set((s) => ({ selected: { id, steps: detail.steps, env: detail.env }, history: upsert(s.history, detail.summary), logTotal: Math.max(s.logTotal, detail.logTotal) }));
    } catch (error) {
      set({ error: `Could not load deploy ${id}: ${messageOf(error)}` });
    }
  }

  return {
    ...initialDeployData(),

    async load() {
      try {
        const [catalog, history] = await Promise.all([host().request('deploy.catalog', {}), host().request('deploy.list', {})]);
        set({ catalog, history });
        const selected = get().selected?.id;
        if (selected) await Promise.all([refreshSelected(selected), fillLog(selected)]);
      } catch (error) {
        set({ error: `Could not load deploys: ${messageOf(error)}` });
      }
    },

    async loadCatalog() {
      try {
        set({ catalog: await host().request('deploy.catalog', {}) });
      } catch (error) {
        set({ error: `Could not load the extensions and images: ${messageOf(error)}` });
      }
    },

    async start(request) {
      set({ starting: true, error: null });
      try {
        const { id } = await host().request('deploy.start', request);
        set({ starting: false });
        void get().select(id);
        return { ok: true, id };
      } catch (error) {
        set({ starting: false });
        return { ok: false, message: messageOf(error), field: error instanceof HostError ? (error.field ?? null) : null };
      }
    },

    async select(id) {
      if (get().selected?.id === id) return;
      set({ selected: { id, steps: null, env: null }, log: new LogBuffer<DeployLogLine>(), logRevision: 0, logTotal: 0 });
      await Promise.all([refreshSelected(id), fillLog(id)]);
    },

    async cancel(id) {
      try {
        await host().request('deploy.cancel', { id });
      } catch (error) {
        set({ error: `Could not cancel: ${messageOf(error)}` });
      }
    },

    apply(event) {
      switch (event.topic) {
        case 'deploy.started': {
          const { summary, steps, env, logTotal } = event.payload;
          set((s) => ({
            history: upsert(s.history, summary),
            ...(s.selected?.id === summary.id ? { selected: { id: summary.id, steps, env }, logTotal: Math.max(s.logTotal, logTotal) } : {}),
          }));
          break;
        }
        case 'deploy.step': {
          const { id, step } = event.payload;
          set((s) => (s.selected?.id === id && s.selected.steps ? { selected: { ...s.selected, steps: s.selected.steps.map((old) => (old.id === step.id ? step : old)) } } : {}));
          break;
        }
        case 'deploy.log': {
          const { id, lines } = event.payload;
          const { selected, log } = get();
          if (selected?.id !== id || lines.length === 0) break;
          log.append(lines);
          set((s) => ({ logRevision: s.logRevision + 1, logTotal: Math.max(s.logTotal, lines.at(-1)!.n + 1) }));
          // Lines past a gap (events dropped before a resync) wait for the missing ones.
          if (log.waiting) void fillLog(id);
          break;
        }
        case 'deploy.finished':
          set((s) => ({ history: upsert(s.history, event.payload) }));
          break;
        default:
          break;
      }
    },

    dismissError: () => set({ error: null }),
  };
});

export const selectSelectedDeploy = (s: DeployState): DeploySummary | null => (s.selected ? (s.history.find((d) => d.id === s.selected!.id) ?? null) : null);
