import { create } from 'zustand';
import type { SpecProblem } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { backend } from '../connection/backend.js';
import { exampleManifest, manifestProblems, problemOf } from './container-manifest.js';
import type { ContainerKey } from './containers-store.js';

interface ConfigureData {
  open: boolean;
  /** The node the operator picked; null follows the first Treadmill node that answered. */
  chosen: string | null;
  text: string;
  /** Checked as it is typed; a field the backend refused is added when it answers. */
  problems: SpecProblem[];
  submitting: boolean;
  /** The node refused it (an unknown proid, a missing image, an unreachable node). */
  error: string | null;
  /** The container the last configure made, until the manifest changes. */
  made: ContainerKey | null;
}

interface ConfigureActions {
  toggle(): void;
  choose(node: string): void;
  setText(text: string): void;
  /** Configures the manifest on `node`; the new container, or null when it was refused. */
  submit(node: string): Promise<ContainerKey | null>;
}

export type ConfigureState = ConfigureData & ConfigureActions;

export const initialConfigureData = (): ConfigureData => ({
  open: false,
  chosen: null,
  text: exampleManifest,
  problems: manifestProblems(exampleManifest),
  submitting: false,
  error: null,
  made: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Treadmill's configure from the Containers view: a manifest, checked, sent to one node. */
export const useConfigure = create<ConfigureState>()((set, get) => ({
  ...initialConfigureData(),

  toggle: () => set((s) => ({ open: !s.open })),
  choose: (chosen) => set({ chosen, error: null }),
  setText: (text) => set({ text, problems: manifestProblems(text), error: null, made: null }),

  async submit(node) {
    const { text } = get();
    if (get().submitting || manifestProblems(text).length > 0) return null;
    set({ submitting: true, error: null, made: null });
    try {
      const { instance, unique } = await backend().request('containers.configure', { node, manifest: text });
      const made = { node, instance, unique };
      set({ submitting: false, made });
      return made;
    } catch (error) {
      if (error instanceof BackendError && error.field !== undefined && error.code === 'bad_request' && error.field !== 'node') {
        set({ submitting: false, problems: [problemOf(error.field, error.message)] });
      } else {
        set({ submitting: false, error: messageOf(error) });
      }
      return null;
    }
  },
}));
