import { create } from 'zustand';
import type { ContainerAction } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import type { ContainerKey } from './containers-store.js';

interface Refusal {
  action: ContainerAction;
  message: string;
}

interface ActionsData {
  /** The action under way, by container (`node/unique`): its buttons wait for it. */
  busy: Record<string, ContainerAction>;
  /** What the node answered when it refused the last action, by container. */
  refused: Record<string, Refusal>;
  /** The action the operator is asked to confirm. */
  confirming: { key: ContainerKey; action: 'terminate' | 'remove' } | null;
}

interface ActionsActions {
  run(key: ContainerKey, action: ContainerAction): Promise<boolean>;
  ask(key: ContainerKey, action: 'terminate' | 'remove'): void;
  /** The dialog closed: confirmed (the action was run) or not. */
  closeConfirm(): void;
  dismiss(key: ContainerKey): void;
}

export type ContainerActionsState = ActionsData & ActionsActions;

export const initialActionsData = (): ActionsData => ({ busy: {}, refused: {}, confirming: null });

export const containerId = (key: Pick<ContainerKey, 'node' | 'unique' | 'instance'>) => `${key.node}/${key.unique ?? key.instance}`;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const without = <T>(record: Record<string, T>, id: string): Record<string, T> => {
  const { [id]: _dropped, ...rest } = record;
  return rest;
};

/** Start, stop, terminate and remove of one container at a time each; the new state comes with the node's next scan. */
export const useContainerActions = create<ContainerActionsState>()((set, get) => ({
  ...initialActionsData(),

  async run(key, action) {
    const id = containerId(key);
    if (get().busy[id]) return false;
    set((s) => ({ busy: { ...s.busy, [id]: action }, refused: without(s.refused, id) }));
    try {
      // The unique name: the instance may be configured on the node more than once.
      await backend().request('containers.act', { node: key.node, instance: key.unique ?? key.instance, action });
      set((s) => ({ busy: without(s.busy, id) }));
      return true;
    } catch (error) {
      set((s) => ({ busy: without(s.busy, id), refused: { ...s.refused, [id]: { action, message: messageOf(error) } } }));
      return false;
    }
  },

  ask: (key, action) => set({ confirming: { key, action } }),
  closeConfirm: () => set({ confirming: null }),
  dismiss: (key) => set((s) => ({ refused: without(s.refused, containerId(key)) })),
}));

/** Selectors of one container, by `containerId`. */
export const selectBusy = (id: string) => (s: ContainerActionsState): ContainerAction | null => s.busy[id] ?? null;
export const selectRefusal = (id: string) => (s: ContainerActionsState): Refusal | null => s.refused[id] ?? null;
