import { create } from 'zustand';
import { parseSpecText } from '../../../shared/builds/spec-text.js';
import type { BuildDefaults, BuildSummary, LogLine, SlipwayEvent, SpecProblem, StepState } from '../../../shared/contract/index.js';
import { host } from '../host/host.js';
import { LogBuffer } from '../lib/log-buffer.js';
import { createLogFill } from '../lib/log-fill.js';

/** The contract's largest page. */
export const logPageSize = 5_000;
const validateDelayMs = 250;

export interface SelectedBuild {
  id: string;
  /** Null until `builds.get` or `builds.started` gave them. */
  steps: StepState[] | null;
  specText: string | null;
}

interface BuildsData {
  defaults: BuildDefaults | null;
  /** Newest first; the selected build's summary is read from here, never kept twice. */
  history: BuildSummary[];
  selected: SelectedBuild | null;
  /** The selected build's log; `logRevision` changes whenever it grows. */
  log: LogBuffer;
  logRevision: number;
  /** Lines the backend holds for the selected build, as far as the store knows. */
  logTotal: number;
  logLoading: boolean;
  specText: string;
  problems: SpecProblem[];
  /** The backend's hash of the valid spec being edited (host defaults filled in). */
  specHash: string | null;
  starting: boolean;
  error: string | null;
  /** What the backend's journal recovery cleaned at start, shown once. */
  recovered: string[] | null;
}

interface BuildsActions {
  load(): Promise<void>;
  setSpecText(text: string): void;
  /** The new build's id, or null when it could not start (the error says why). */
  start(): Promise<string | null>;
  select(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
  dismissRecovered(): void;
  apply(event: SlipwayEvent): void;
}

export type BuildsState = BuildsData & BuildsActions;

export const initialBuildsData = (): BuildsData => ({
  defaults: null,
  history: [],
  selected: null,
  log: new LogBuffer(),
  logRevision: 0,
  logTotal: 0,
  logLoading: false,
  specText: '',
  problems: [],
  specHash: null,
  starting: false,
  error: null,
  recovered: null,
});

function upsert(history: readonly BuildSummary[], summary: BuildSummary): BuildSummary[] {
  return [summary, ...history.filter((b) => b.id !== summary.id)].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const clientProblems = (text: string): SpecProblem[] => {
  const result = parseSpecText(text);
  return result.ok ? [] : result.problems;
};

export const useBuilds = create<BuildsState>()((set, get) => {
  let validateTimer: ReturnType<typeof setTimeout> | null = null;
  const isSelected = (id: string) => get().selected?.id === id;
  const fillLog = createLogFill<LogLine>({
    buffer: (id) => (isSelected(id) ? get().log : null),
    page: (id, from) => host().request('builds.logs', { id, from, count: logPageSize }),
    appended: (total) => set((s) => ({ logRevision: s.logRevision + 1, logTotal: Math.max(s.logTotal, total) })),
    loading: (on) => set({ logLoading: on }),
    failed: (error) => set({ error: `Could not load the log: ${messageOf(error)}` }),
  });

  async function refreshSelected(id: string): Promise<void> {
    try {
      const detail = await host().request('builds.get', { id });
      if (!isSelected(id)) return;
      set((s) => ({
        selected: { id, steps: detail.steps, specText: detail.specText },
        history: upsert(s.history, detail.summary),
        logTotal: Math.max(s.logTotal, detail.logTotal),
      }));
    } catch (error) {
      set({ error: `Could not load build ${id}: ${messageOf(error)}` });
    }
  }

  async function validateOnBackend(text: string): Promise<void> {
    try {
      const { problems, specHash } = await host().request('builds.validate', { specText: text });
      if (get().specText === text) set({ problems, specHash });
    } catch {
      // The inline check already ran; the backend's answer only adds the hash.
    }
  }

  return {
    ...initialBuildsData(),

    async load() {
      try {
        const [defaults, history] = await Promise.all([get().defaults ?? host().request('builds.defaults', {}), host().request('builds.list', {})]);
        set({ defaults, history });
        if (get().specText === '') get().setSpecText(defaults.exampleSpec);
        // After a resync the selected build's steps are refetched and its log completed from where it stopped.
        const selected = get().selected?.id;
        if (selected) await Promise.all([refreshSelected(selected), fillLog(selected)]);
      } catch (error) {
        set({ error: `Could not load builds: ${messageOf(error)}` });
      }
    },

    setSpecText(text) {
      set({ specText: text, problems: clientProblems(text), specHash: null });
      if (validateTimer) clearTimeout(validateTimer);
      validateTimer = setTimeout(() => void validateOnBackend(text), validateDelayMs);
    },

    async start() {
      const { specText } = get();
      set({ starting: true, error: null });
      try {
        const { id } = await host().request('builds.start', { specText });
        set({ starting: false });
        await get().select(id);
        return id;
      } catch (error) {
        set({ starting: false, error: messageOf(error) });
        return null;
      }
    },

    async select(id) {
      if (get().selected?.id === id) return;
      set({ selected: { id, steps: null, specText: null }, log: new LogBuffer(), logRevision: 0, logTotal: 0 });
      await Promise.all([refreshSelected(id), fillLog(id)]);
    },

    async cancel(id) {
      try {
        await host().request('builds.cancel', { id });
      } catch (error) {
        set({ error: `Could not cancel: ${messageOf(error)}` });
      }
    },

    dismissRecovered() {
      set({ recovered: null });
    },

    apply(event) {
      switch (event.topic) {
        case 'builds.started': {
          const { summary, steps, specText, logTotal } = event.payload;
          set((s) => ({
            history: upsert(s.history, summary),
            ...(s.selected?.id === summary.id ? { selected: { id: summary.id, steps, specText }, logTotal: Math.max(s.logTotal, logTotal) } : {}),
          }));
          break;
        }
        case 'builds.step': {
          const { id, step } = event.payload;
          set((s) => {
            if (s.selected?.id !== id || !s.selected.steps) return {};
            return { selected: { ...s.selected, steps: s.selected.steps.map((old) => (old.id === step.id ? step : old)) } };
          });
          break;
        }
        case 'builds.log': {
          const { id, lines } = event.payload;
          const { selected, log } = get();
          if (selected?.id !== id || lines.length === 0) break;
          log.append(lines);
          set((s) => ({ logRevision: s.logRevision + 1, logTotal: Math.max(s.logTotal, lines.at(-1)!.n + 1) }));
          // Lines past a gap (events dropped before a resync) are held until the missing ones are fetched.
          if (log.waiting) void fillLog(id);
          break;
        }
        case 'builds.finished':
          set((s) => ({ history: upsert(s.history, event.payload) }));
          break;
        case 'builds.recovered':
          if (event.payload.cleaned.length > 0) set({ recovered: event.payload.cleaned });
          break;
        default:
          break;
      }
    },
  };
});

export const selectSelectedSummary = (s: BuildsState): BuildSummary | null => (s.selected ? (s.history.find((b) => b.id === s.selected!.id) ?? null) : null);
