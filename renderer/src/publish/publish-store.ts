import { create } from 'zustand';
import type { PublishResult, RequestOf, SlipwayEvent, TftpEntry } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { backend } from '../connection/backend.js';

export type PublishOutcome = { ok: true; result: PublishResult } | { ok: false; message: string; field: string | null };

/** The answer to this console's latest publish; its entry is read from the tree, never kept twice. */
export interface LastPublish {
  status: PublishResult['status'];
  key: string;
  version: string;
  pruned: string[];
}

interface PublishData {
  root: string | null;
  graceMinutes: number | null;
  /** By `arch/subarch/release/purpose`; rows are sorted where they are shown. */
  entries: Record<string, TftpEntry>;
  loaded: boolean;
  publishing: boolean;
  last: LastPublish | null;
  error: string | null;
}

interface PublishActions {
  load(): Promise<void>;
  publish(request: RequestOf<'publish.netboot'>): Promise<PublishOutcome>;
  apply(event: SlipwayEvent): void;
  dismissError(): void;
}

export type PublishState = PublishData & PublishActions;

export const initialPublishData = (): PublishData => ({ root: null, graceMinutes: null, entries: {}, loaded: false, publishing: false, last: null, error: null });

export const entryKey = (e: Pick<TftpEntry, 'arch' | 'subarch' | 'release' | 'purpose'>) => `${e.arch}/${e.subarch}/${e.release}/${e.purpose}`;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const usePublish = create<PublishState>()((set) => ({
  ...initialPublishData(),

  async load() {
    try {
      const tree = await backend().request('publish.tree', {});
      set({ root: tree.root, graceMinutes: tree.graceMinutes, entries: Object.fromEntries(tree.entries.map((e) => [entryKey(e), e])), loaded: true, error: null });
    } catch (error) {
      set({ error: `Could not load the TFTP tree: ${messageOf(error)}` });
    }
  },

  async publish(request) {
    set({ publishing: true, last: null });
    try {
      const result = await backend().request('publish.netboot', request);
      const key = entryKey(result.entry);
      // The event may come after the answer: the row is current as soon as the answer is.
      set((s) => ({ publishing: false, entries: { ...s.entries, [key]: result.entry }, last: { status: result.status, key, version: result.entry.version, pruned: result.pruned } }));
      return { ok: true, result };
    } catch (error) {
      set({ publishing: false });
      return { ok: false, message: messageOf(error), field: error instanceof BackendError ? (error.field ?? null) : null };
    }
  },

  apply(event) {
    if (event.topic !== 'publish.changed') return;
    const { entry } = event.payload;
    set((s) => ({ entries: { ...s.entries, [entryKey(entry)]: entry } }));
  },

  dismissError: () => set({ error: null }),
}));

/** Tree order: arch, subarch, release, purpose. */
export const treeRows = (entries: Record<string, TftpEntry>): TftpEntry[] => Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e);
