import { create } from 'zustand';
import type { HostKeyPrompt, NodeSpec, NodeStatus, PassphrasePrompt, ResponseOf, SlipwayEvent } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { backend } from '../connection/backend.js';
import { openInView } from './node-filter.js';
import { defaultNodeSort, nextSort, type NodeSort, type NodeSortKey } from './node-sort.js';

export type SaveOutcome = { ok: true } | { ok: false; message: string; field: string | null };
export type ImportResult = ResponseOf<'nodes.importSshConfig'>;

interface NodesData {
  /** By name. Rows are derived (sorted, filtered) where they are shown, never kept twice. */
  statuses: Record<string, NodeStatus>;
  /** Pending host-key prompts, oldest first. */
  prompts: HostKeyPrompt[];
  /** Prompts the operator put off for now: pending still, not shown until asked for. */
  deferred: string[];
  /** Pending passphrase prompts for encrypted keys, oldest first. The answers themselves are never kept here. */
  passphrases: PassphrasePrompt[];
  filter: string;
  /** The table's order; the sorted rows are derived (`sortRows`), never stored. */
  sort: NodeSort;
  /** Checked rows; only those in view are acted on. */
  selected: string[];
  /** The node in the detail panel: always one whose row the filter shows. */
  open: string | null;
  loaded: boolean;
  polling: boolean;
  error: string | null;
}

interface NodesActions {
  load(): Promise<void>;
  apply(event: SlipwayEvent): void;
  /** A filter that hides the open node closes its detail. */
  setFilter(filter: string): void;
  /** A click on a column's header: sorts by it, or turns its order around. */
  sortBy(key: NodeSortKey): void;
  setSelected(names: string[]): void;
  toggleSelected(name: string): void;
  /** Opening a node the filter hides (a link, back/forward) clears the filter, so its row shows. */
  openNode(name: string | null): void;
  save(node: NodeSpec, previousName?: string): Promise<SaveOutcome>;
  remove(names: string[]): Promise<boolean>;
  poll(names?: string[]): Promise<void>;
  answer(id: string, accept: boolean): Promise<void>;
  /** Sends the passphrase (null: declined) and forgets it; true when the backend took the answer. */
  answerPassphrase(id: string, passphrase: string | null): Promise<boolean>;
  defer(id: string): void;
  reviewPrompts(): void;
  /** The preview (or, with `apply`, what was added); throws what the backend said. */
  importSshConfig(apply: boolean): Promise<ImportResult>;
  dismissError(): void;
}

export type NodesState = NodesData & NodesActions;

export const initialNodesData = (): NodesData => ({
  statuses: {},
  prompts: [],
  deferred: [],
  passphrases: [],
  filter: '',
  sort: defaultNodeSort,
  selected: [],
  open: null,
  loaded: false,
  polling: false,
  error: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const byName = (list: readonly NodeStatus[]) => Object.fromEntries(list.map((s) => [s.spec.name, s]));

function without(statuses: Record<string, NodeStatus>, names: readonly string[]): Record<string, NodeStatus> {
  return Object.fromEntries(Object.entries(statuses).filter(([name]) => !names.includes(name)));
}

/** What disappears with removed nodes: their rows, their checks, the detail panel if it showed one. */
function dropNodes(s: NodesData, names: readonly string[]): Partial<NodesData> {
  return { statuses: without(s.statuses, names), selected: s.selected.filter((n) => !names.includes(n)), open: s.open !== null && names.includes(s.open) ? null : s.open };
}

function resolvePrompt(s: NodesData, id: string): Partial<NodesData> {
  return { prompts: s.prompts.filter((p) => p.id !== id), deferred: s.deferred.filter((d) => d !== id) };
}

function resolvePassphrase(s: NodesData, id: string): Partial<NodesData> {
  return { passphrases: s.passphrases.filter((p) => p.id !== id) };
}

export const useNodes = create<NodesState>()((set) => ({
  ...initialNodesData(),

  async load() {
    try {
      const [list, prompts, passphrases] = await Promise.all([
        backend().request('nodes.list', {}),
        backend().request('nodes.pendingHostKeys', {}),
        backend().request('nodes.pendingPassphrases', {}),
      ]);
      const statuses = byName(list);
      set((s) => ({
        statuses,
        prompts,
        passphrases,
        deferred: s.deferred.filter((id) => prompts.some((p) => p.id === id)),
        selected: s.selected.filter((name) => name in statuses),
        open: s.open !== null && s.open in statuses ? openInView(statuses, s.open, s.filter) : null,
        loaded: true,
        error: null,
      }));
    } catch (error) {
      set({ error: `Could not load the nodes: ${messageOf(error)}` });
    }
  },

  apply(event) {
    switch (event.topic) {
      case 'nodes.status':
        set((s) => {
          const statuses = { ...s.statuses, [event.payload.spec.name]: event.payload };
          // A node whose new state the filter no longer shows leaves the table, and so the detail.
          return { statuses, open: openInView(statuses, s.open, s.filter) };
        });
        break;
      case 'nodes.removed':
        set((s) => dropNodes(s, event.payload.names));
        break;
      case 'nodes.hostKeyPrompt':
        set((s) => (s.prompts.some((p) => p.id === event.payload.id) ? {} : { prompts: [...s.prompts, event.payload] }));
        break;
      case 'nodes.hostKeyResolved':
        set((s) => resolvePrompt(s, event.payload.id));
        break;
      case 'nodes.passphrasePrompt':
        set((s) => (s.passphrases.some((p) => p.id === event.payload.id) ? {} : { passphrases: [...s.passphrases, event.payload] }));
        break;
      case 'nodes.passphraseResolved':
        set((s) => resolvePassphrase(s, event.payload.id));
        break;
      default:
        break;
    }
  },

  setFilter: (filter) => set((s) => ({ filter, open: openInView(s.statuses, s.open, filter) })),
  sortBy: (key) => set((s) => ({ sort: nextSort(s.sort, key) })),
  setSelected: (selected) => set({ selected }),
  toggleSelected: (name) => set((s) => ({ selected: s.selected.includes(name) ? s.selected.filter((n) => n !== name) : [...s.selected, name] })),
  openNode: (open) => set((s) => ({ open, filter: openInView(s.statuses, open, s.filter) === open ? s.filter : '' })),

  async save(node, previousName) {
    try {
      const status = await backend().request('nodes.save', previousName === undefined ? { node } : { node, previousName });
      set((s) => {
        const renamed = previousName !== undefined && previousName !== node.name;
        const base = renamed ? { ...s, ...dropNodes(s, [previousName]) } : s;
        const statuses = { ...base.statuses, [node.name]: status };
        return {
          statuses,
          selected: renamed && s.selected.includes(previousName) ? [...base.selected, node.name] : base.selected,
          open: openInView(statuses, renamed && s.open === previousName ? node.name : base.open, s.filter),
        };
      });
      return { ok: true };
    } catch (error) {
      return { ok: false, message: messageOf(error), field: error instanceof BackendError ? (error.field ?? null) : null };
    }
  },

  async remove(names) {
    try {
      const { removed } = await backend().request('nodes.remove', { names });
      set((s) => dropNodes(s, removed));
      return true;
    } catch (error) {
      set({ error: `Could not remove ${names.join(', ')}: ${messageOf(error)}` });
      return false;
    }
  },

  async poll(names) {
    set({ polling: true });
    try {
      const polled = await backend().request('nodes.poll', names ? { names } : {});
      set((s) => {
        const statuses = { ...s.statuses, ...byName(polled) };
        return { statuses, open: openInView(statuses, s.open, s.filter), polling: false };
      });
    } catch (error) {
      set({ polling: false, error: `Could not poll: ${messageOf(error)}` });
    }
  },

  async answer(id, accept) {
    try {
      await backend().request('nodes.answerHostKey', { id, accept });
      // Answered here or elsewhere: either way it is not pending any more.
      set((s) => resolvePrompt(s, id));
    } catch (error) {
      set({ error: `Could not answer the host-key prompt: ${messageOf(error)}` });
    }
  },

  async answerPassphrase(id, passphrase) {
    try {
      await backend().request('nodes.answerPassphrase', { id, passphrase });
      set((s) => resolvePassphrase(s, id));
      return true;
    } catch (error) {
      set({ error: `Could not answer the passphrase prompt: ${messageOf(error)}` });
      return false;
    }
  },

  defer: (id) => set((s) => ({ deferred: s.deferred.includes(id) ? s.deferred : [...s.deferred, id] })),
  reviewPrompts: () => set({ deferred: [] }),

  async importSshConfig(apply) {
    // What was added arrives as `nodes.status` events, like any other change.
    return backend().request('nodes.importSshConfig', { apply });
  },

  dismissError: () => set({ error: null }),
}));

/** The prompt to show: the oldest one not put off. */
export const selectShownPrompt = (s: NodesState): HostKeyPrompt | null => s.prompts.find((p) => !s.deferred.includes(p.id)) ?? null;
/** The passphrase prompt to show: the oldest one. */
export const selectShownPassphrase = (s: NodesState): PassphrasePrompt | null => s.passphrases[0] ?? null;
/** Everything waiting for the operator's answer: host keys and passphrases. */
export const selectPendingCount = (s: NodesState): number => s.prompts.length + s.passphrases.length;
export const selectOpenStatus = (s: NodesState): NodeStatus | null => (s.open === null ? null : (s.statuses[s.open] ?? null));
