import { create } from 'zustand';
import type { AppDefinition, AppNodeState, AppRunSummary, BlacklistEntry, ResponseOf, SlipwayEvent } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { backend } from '../connection/backend.js';

export type DeployOutcome = { ok: true; id: string } | { ok: false; message: string; field: string | null };
export type Download = ResponseOf<'apps.download'>;

export interface SelectedRun {
  id: string;
  /** Null until `apps.get` answered; the summary is read from `runs`, never kept twice. */
  definition: AppDefinition | null;
  nodes: AppNodeState[] | null;
  buildTree: { from: string; to: string }[];
}

/** What the last action on the selected run gave back, shown until another run is selected. */
export type RunNotice = { kind: 'retrying'; nodes: string[] } | { kind: 'stopped'; nodes: string[] } | { kind: 'download'; download: Download };

interface AppsData {
  /** Newest first. */
  runs: AppRunSummary[];
  selected: SelectedRun | null;
  /** Nodes of the selected run ticked in the matrix: a stop can be for them only. */
  checked: string[];
  notice: RunNotice | null;
  blacklist: BlacklistEntry[];
  deploying: boolean;
  /** A run just deployed from here: its panel brings its traces into view once it has rendered them, then clears this. */
  reveal: string | null;
  /** An action on the run is under way (stop, retry, download). */
  busy: boolean;
  error: string | null;
}

interface AppsActions {
  load(): Promise<void>;
  deploy(text: string, nodes?: string[]): Promise<DeployOutcome>;
  select(id: string): Promise<void>;
  /** The run's traces are in view now. */
  revealed(): void;
  toggleChecked(node: string): void;
  setChecked(nodes: string[]): void;
  stop(nodes?: string[]): Promise<void>;
  retryFailed(): Promise<void>;
  download(): Promise<void>;
  unblacklist(node: string): Promise<void>;
  apply(event: SlipwayEvent): void;
  dismissError(): void;
}

export type AppsState = AppsData & AppsActions;

export const initialAppsData = (): AppsData => ({
  runs: [],
  selected: null,
  checked: [],
  notice: null,
  blacklist: [],
  deploying: false,
  reveal: null,
  busy: false,
  error: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function upsert(runs: readonly AppRunSummary[], summary: AppRunSummary): AppRunSummary[] {
  return [summary, ...runs.filter((r) => r.id !== summary.id)].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** A node's newer state replaces the one held; null for an older one (an event overtaken by a snapshot). */
function withNode(nodes: readonly AppNodeState[], state: AppNodeState): AppNodeState[] | null {
  const index = nodes.findIndex((n) => n.node === state.node);
  if (index === -1) return [...nodes, state];
  if (nodes[index]!.updatedAt > state.updatedAt) return null;
  return nodes.map((n, i) => (i === index ? state : n));
}

export const useApps = create<AppsState>()((set, get) => {
  const isSelected = (id: string) => get().selected?.id === id;

  async function refreshSelected(id: string): Promise<void> {
    try {
      const detail = await backend().request('apps.get', { id });
      if (!isSelected(id)) return;
      set((s) => ({ selected: { id, definition: detail.definition, nodes: detail.nodes, buildTree: detail.buildTree }, runs: upsert(s.runs, detail.summary) }));
    } catch (error) {
      set({ error: `Could not load run ${id}: ${messageOf(error)}` });
    }
  }

  /** Runs an action on the selected run; what it gives back becomes the notice. */
  async function act(what: string, action: (id: string) => Promise<RunNotice | null>): Promise<void> {
    const id = get().selected?.id;
    if (!id) return;
    set({ busy: true, error: null });
    try {
      const notice = await action(id);
      if (isSelected(id)) set({ notice });
    } catch (error) {
      set({ error: `Could not ${what}: ${messageOf(error)}` });
    } finally {
      set({ busy: false });
    }
  }

  return {
    ...initialAppsData(),

    async load() {
      try {
        const [runs, blacklist] = await Promise.all([backend().request('apps.runs', {}), backend().request('apps.blacklist', {})]);
        set({ runs, blacklist });
        const selected = get().selected?.id;
        if (selected) await refreshSelected(selected);
      } catch (error) {
        set({ error: `Could not load the application runs: ${messageOf(error)}` });
      }
    },

    async deploy(text, nodes) {
      // A second press before the first answer starts nothing (the backend refuses a second run on a node too).
      if (get().deploying) return { ok: false, message: 'a deploy is already being started', field: null };
      set({ deploying: true, error: null });
      try {
        const { id } = await backend().request('apps.deploy', nodes ? { text, nodes } : { text });
        set({ deploying: false, reveal: id });
        void get().select(id);
        return { ok: true, id };
      } catch (error) {
        set({ deploying: false });
        return { ok: false, message: messageOf(error), field: error instanceof BackendError ? (error.field ?? null) : null };
      }
    },

    async select(id) {
      if (isSelected(id)) return;
      set({ selected: { id, definition: null, nodes: null, buildTree: [] }, checked: [], notice: null });
      await refreshSelected(id);
    },

    revealed: () => set({ reveal: null }),

    toggleChecked: (node) => set((s) => ({ checked: s.checked.includes(node) ? s.checked.filter((n) => n !== node) : [...s.checked, node] })),
    setChecked: (checked) => set({ checked }),

    async stop(nodes) {
      await act('stop', async (id) => {
        const { stopping } = await backend().request('apps.stop', nodes ? { id, nodes } : { id });
        set({ checked: [] });
        return { kind: 'stopped', nodes: stopping };
      });
    },

    async retryFailed() {
      await act('retry the failed nodes', async (id) => ({ kind: 'retrying', nodes: (await backend().request('apps.retryFailed', { id })).retrying }));
    },

    async download() {
      await act('download the results', async (id) => ({ kind: 'download', download: await backend().request('apps.download', { id }) }));
    },

    async unblacklist(node) {
      try {
        await backend().request('apps.unblacklist', { node });
        // The event says so too; this makes it show at once.
        set((s) => ({ blacklist: s.blacklist.filter((e) => e.node !== node) }));
      } catch (error) {
        set({ error: `Could not take ${node} off the blacklist: ${messageOf(error)}` });
      }
    },

    apply(event) {
      switch (event.topic) {
        case 'apps.run':
          set((s) => ({ runs: upsert(s.runs, event.payload) }));
          break;
        case 'apps.node': {
          const { id, state } = event.payload;
          set((s) => {
            const nodes = s.selected?.id === id && s.selected.nodes ? withNode(s.selected.nodes, state) : null;
            return nodes ? { selected: { ...s.selected!, nodes } } : {};
          });
          break;
        }
        case 'apps.buildTree': {
          const { id, edge } = event.payload;
          set((s) => {
            if (s.selected?.id !== id || !s.selected.nodes) return {};
            // The snapshot may hold it already.
            if (s.selected.buildTree.some((e) => e.from === edge.from && e.to === edge.to)) return {};
            return { selected: { ...s.selected, buildTree: [...s.selected.buildTree, edge] } };
          });
          break;
        }
        case 'apps.blacklist':
          set({ blacklist: event.payload });
          break;
        default:
          break;
      }
    },

    dismissError: () => set({ error: null }),
  };
});

export const selectSelectedRun = (s: AppsState): AppRunSummary | null => (s.selected ? (s.runs.find((r) => r.id === s.selected!.id) ?? null) : null);
