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
  note: string | null;
}

interface PublishData {
  /** Whose tree is shown: this machine's (null) or a build host's. */
  host: string | null;
  root: string | null;
  /** Every tree's root read so far, by host ('' for this machine): where a publish will go. */
  roots: Record<string, string>;
  graceMinutes: number | null;
  /** By `arch/subarch/release/purpose`; rows are sorted where they are shown. */
  entries: Record<string, TftpEntry>;
  loaded: boolean;
  publishing: boolean;
  last: LastPublish | null;
  error: string | null;
}

interface PublishActions {
  /** Loads the shown tree, or (`host`) switches to this machine's (null) or a build host's. */
  load(host?: string | null): Promise<void>;
  publish(request: RequestOf<'publish.netboot'>): Promise<PublishOutcome>;
  apply(event: SlipwayEvent): void;
  dismissError(): void;
}

export type PublishState = PublishData & PublishActions;

export const initialPublishData = (): PublishData => ({ host: null, root: null, roots: {}, graceMinutes: null, entries: {}, loaded: false, publishing: false, last: null, error: null });

export const entryKey = (e: Pick<TftpEntry, 'arch' | 'subarch' | 'release' | 'purpose'>) => `${e.arch}/${e.subarch}/${e.release}/${e.purpose}`;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const usePublish = create<PublishState>()((set, get) => ({
  ...initialPublishData(),

  async load(host) {
    const which = host === undefined ? get().host : host;
    // Another tree's rows are never shown under this one's name, not even while it loads.
    if (which !== get().host) set({ host: which, root: null, entries: {}, loaded: false, last: null });
    try {
      const tree = await backend().request('publish.tree', which === null ? {} : { host: which });
      if (get().host !== which) return; // switched again meanwhile
      set((s) => ({ root: tree.root, roots: { ...s.roots, [which ?? '']: tree.root }, graceMinutes: tree.graceMinutes, entries: Object.fromEntries(tree.entries.map((e) => [entryKey(e), e])), loaded: true, error: null }));
    } catch (error) {
      if (get().host === which) set({ loaded: true, error: `Could not load the TFTP tree${which === null ? '' : ` on ${which}`}: ${messageOf(error)}` });
    }
  },

  async publish(request) {
    set({ publishing: true, last: null });
    try {
      const result = await backend().request('publish.netboot', request);
      const key = entryKey(result.entry);
      // A build host's image went into that host's tree: that tree is shown, read from the host.
      if ((result.host ?? null) !== get().host) await get().load(result.host ?? null);
      // The event may come after the answer: the row is current as soon as the answer is.
      set((s) => ({ publishing: false, entries: { ...s.entries, [key]: result.entry }, last: { status: result.status, key, version: result.entry.version, pruned: result.pruned, note: result.note ?? null } }));
      return { ok: true, result };
    } catch (error) {
      set({ publishing: false });
      return { ok: false, message: messageOf(error), field: error instanceof BackendError ? (error.field ?? null) : null };
    }
  },

  apply(event) {
    if (event.topic !== 'publish.changed' || (event.payload.host ?? null) !== get().host) return;
    const { entry } = event.payload;
    set((s) => ({ entries: { ...s.entries, [entryKey(entry)]: entry } }));
  },

  dismissError: () => set({ error: null }),
}));

/** Tree order: arch, subarch, release, purpose. */
export const treeRows = (entries: Record<string, TftpEntry>): TftpEntry[] => Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e);
