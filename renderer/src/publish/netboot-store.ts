import { create } from 'zustand';
import type { NetbootServeRequestInput, NetbootStatus, NodeBoot, SlipwayEvent } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { backend } from '../connection/backend.js';

export type ServeOutcome = { ok: true } | { ok: false; message: string; field: string | null };

interface NetbootData {
  status: NetbootStatus | null;
  nodes: NodeBoot[];
  /** A serve or stop is on its way: the buttons wait for it. */
  busy: 'serve' | 'stop' | null;
  error: string | null;
}

interface NetbootActions {
  load(): Promise<void>;
  serve(request: NetbootServeRequestInput): Promise<ServeOutcome>;
  stop(): Promise<void>;
  /** `host`: a build host's tree (null: this machine's). */
  rollback(key: string, version: string, host?: string | null): Promise<void>;
  /** Extra kernel arguments of a purpose; the answer names a field error. */
  setArgs(purpose: string, extraArgs: string): Promise<ServeOutcome>;
  /** Hold a node at a version (null: follow its purpose again). */
  pin(node: string, version: string | null): Promise<void>;
  apply(event: SlipwayEvent): void;
  dismissError(): void;
}

export type NetbootState = NetbootData & NetbootActions;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const useNetboot = create<NetbootState>()((set, get) => ({
  status: null,
  nodes: [],
  busy: null,
  error: null,

  async load() {
    try {
      const [status, nodes] = await Promise.all([backend().request('netboot.status', {}), backend().request('netboot.nodes', {})]);
      set({ status, nodes });
    } catch (error) {
      set({ error: `Could not load the netboot services: ${messageOf(error)}` });
    }
  },

  async serve(request) {
    if (get().busy) return { ok: false, message: 'a start or stop is on its way', field: null };
    set({ busy: 'serve', error: null });
    try {
      set({ status: await backend().request('netboot.serve', request), nodes: await backend().request('netboot.nodes', {}) });
      return { ok: true };
    } catch (error) {
      return { ok: false, message: messageOf(error), field: error instanceof BackendError ? (error.field ?? null) : null };
    } finally {
      set({ busy: null });
    }
  },

  async stop() {
    if (get().busy) return;
    set({ busy: 'stop', error: null });
    try {
      set({ status: await backend().request('netboot.stop', {}) });
    } catch (error) {
      set({ error: `Could not stop the netboot services: ${messageOf(error)}` });
    } finally {
      set({ busy: null });
    }
  },

  async rollback(key, version, host = null) {
    const [arch, subarch, release, purpose] = key.split('/') as [string, string, string, string];
    try {
      await backend().request('netboot.rollback', { arch, subarch, release, purpose, version, ...(host === null ? {} : { host }) });
      set({ nodes: await backend().request('netboot.nodes', {}) });
    } catch (error) {
      set({ error: `Could not roll ${key}${host === null ? '' : ` on ${host}`} back to ${version}: ${messageOf(error)}` });
    }
  },

  async setArgs(purpose, extraArgs) {
    try {
      set({ status: await backend().request('netboot.setArgs', { purpose, extraArgs }) });
      return { ok: true };
    } catch (error) {
      return { ok: false, message: messageOf(error), field: error instanceof BackendError ? (error.field ?? null) : null };
    }
  },

  async pin(node, version) {
    try {
      set({ nodes: await backend().request('netboot.pin', { node, version }) });
    } catch (error) {
      set({ error: `Could not ${version ? `roll ${node} back to ${version}` : `let ${node} follow its purpose`}: ${messageOf(error)}` });
    }
  },

  apply(event) {
    if (event.topic === 'netboot.changed') set({ status: event.payload });
    else if (event.topic === 'netboot.nodes') set({ nodes: event.payload });
  },

  dismissError: () => set({ error: null }),
}));

/** Both services answer: the panel's one-word state. */
export const selectServing = (s: NetbootState): boolean => s.status?.services.every((service) => service.running) ?? false;
