import { create } from 'zustand';
import { parseAppText } from '../../../shared/apps/app-text.js';
import type { SpecProblem } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';

const validateDelayMs = 250;

export interface SavedDefinition {
  name: string;
  text: string;
}

interface DefinitionsData {
  saved: SavedDefinition[];
  /** The saved definition the editor was opened from; null for a new one. */
  openedFrom: string | null;
  text: string;
  /** Checked as it is typed (field-named), then by the backend, which also resolves the target nodes. */
  problems: SpecProblem[];
  /** The nodes the definition selects (its nodes and labels), per the backend's last answer; null while the text is invalid or unchecked. */
  targets: string[] | null;
  /** The operator's own choice of nodes for the next deploy; null follows the definition. */
  chosen: string[] | null;
  saving: boolean;
  /** The name last saved, shown until the text changes. */
  savedAs: string | null;
  error: string | null;
}

interface DefinitionsActions {
  load(): Promise<void>;
  open(name: string): void;
  openNew(): void;
  setText(text: string): void;
  save(): Promise<boolean>;
  toggleTarget(node: string): void;
  /** Back to the definition's own nodes. */
  followDefinition(): void;
}

export type DefinitionsState = DefinitionsData & DefinitionsActions;

export const newDefinitionText = `name: my-app
description: ""
depends: []
buildDepends: []
sources: []
build: ""
install: ""
run: echo hello from $(hostname)
nodes: []
labels: []
`;

export const initialDefinitionsData = (): DefinitionsData => ({
  saved: [],
  openedFrom: null,
  text: '',
  problems: [],
  targets: null,
  chosen: null,
  saving: false,
  savedAs: null,
  error: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const clientProblems = (text: string): SpecProblem[] => {
  const result = parseAppText(text);
  return result.ok ? [] : result.problems;
};

export const useDefinitions = create<DefinitionsState>()((set, get) => {
  let validateTimer: ReturnType<typeof setTimeout> | null = null;

  async function validateOnBackend(text: string): Promise<void> {
    try {
      const { problems, nodes } = await backend().request('apps.validate', { text });
      if (get().text === text) set({ problems, targets: problems.length === 0 ? nodes : [] });
    } catch {
      // The inline check already ran; the backend adds the nodes when it can answer.
    }
  }

  return {
    ...initialDefinitionsData(),

    async load() {
      try {
        const saved = await backend().request('apps.definitions', {});
        set({ saved });
        // The first load opens the first saved definition, so there is something to deploy.
        if (get().text === '') {
          const first = saved[0];
          if (first) get().open(first.name);
          else get().openNew();
        }
      } catch (error) {
        set({ error: `Could not load the saved definitions: ${messageOf(error)}` });
      }
    },

    open(name) {
      const found = get().saved.find((d) => d.name === name);
      if (!found) return;
      set({ openedFrom: name, chosen: null });
      get().setText(found.text);
    },

    openNew() {
      set({ openedFrom: null, chosen: null });
      get().setText(newDefinitionText);
    },

    setText(text) {
      const problems = clientProblems(text);
      // While the backend checks a valid text, the nodes it last named stay: ticking a node meanwhile starts from them.
      set((s) => ({ text, problems, targets: problems.length === 0 ? s.targets : null, savedAs: null }));
      if (validateTimer) clearTimeout(validateTimer);
      validateTimer = setTimeout(() => void validateOnBackend(text), validateDelayMs);
    },

    async save() {
      const { text } = get();
      set({ saving: true, error: null });
      try {
        const { name } = await backend().request('apps.saveDefinition', { text });
        const saved = await backend().request('apps.definitions', {});
        set({ saving: false, saved, openedFrom: name, savedAs: get().text === text ? name : null });
        return true;
      } catch (error) {
        set({ saving: false, error: `Could not save: ${messageOf(error)}` });
        return false;
      }
    },

    toggleTarget(node) {
      set((s) => {
        const base = s.chosen ?? s.targets ?? [];
        return { chosen: base.includes(node) ? base.filter((n) => n !== node) : [...base, node] };
      });
    },

    followDefinition: () => set({ chosen: null }),
  };
});

const noNodes: string[] = [];
/** The nodes the next deploy goes to: the operator's choice, or the definition's. */
export const selectDeployNodes = (s: DefinitionsState): string[] => s.chosen ?? s.targets ?? noNodes;
/** Unsaved edits: the text differs from the saved definition it was opened from. */
export const selectEdited = (s: DefinitionsState): boolean => {
  const from = s.openedFrom === null ? null : s.saved.find((d) => d.name === s.openedFrom);
  return !from || from.text !== s.text;
};
