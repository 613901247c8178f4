import { create } from 'zustand';
import { parseSpecText } from '../../../shared/builds/spec-text.js';
import type { BuildDefaults, BuildDetail, BuildSummary, LogLine, SlipwayEvent, SpecProblem } from '../../../shared/contract/index.js';
import type { ExpectedStepMs } from '../../../shared/jobs/step-estimate.js';
import { backend } from '../connection/backend.js';
import { createJobSlice, initialJobData, selectSelectedJob, type JobActions, type JobData, type SelectedJob } from '../jobs/job-slice.js';
import { keepDraft, loadDraft } from '../lib/drafts.js';

const specDraft = 'build-spec';

const validateDelayMs = 250;

/** Builds as the job part types them. */
interface BuildJob {
  detail: BuildDetail;
  line: LogLine;
  extra: { specText: string | null; expectedStepMs: ExpectedStepMs | null };
}

export type SelectedBuild = SelectedJob<BuildJob>;

/** The job part (history, selected build, its log) comes from `JobData`. */
interface BuildsData extends JobData<BuildJob> {
  defaults: BuildDefaults | null;
  specText: string;
  problems: SpecProblem[];
  /** The backend's hash of the valid spec being edited (host defaults filled in). */
  specHash: string | null;
  starting: boolean;
  /** Where the next build runs: '' this machine, `any`, or a build host's name. */
  host: string;
  error: string | null;
  /** What the backend's journal recovery cleaned at start, shown once. */
  recovered: string[] | null;
}

interface BuildsActions extends JobActions {
  load(): Promise<void>;
  setSpecText(text: string): void;
  setHost(host: string): void;
  /** The new build's id, or null when it could not start (the error says why). */
  start(): Promise<string | null>;
  /** "Build again": an earlier build's spec, back in the editor and built. */
  rebuild(specText: string): Promise<string | null>;
  dismissRecovered(): void;
  apply(event: SlipwayEvent): void;
}

export type BuildsState = BuildsData & BuildsActions;

export const initialBuildsData = (): BuildsData => ({
  ...initialJobData<BuildJob>(),
  defaults: null,
  specText: '',
  problems: [],
  specHash: null,
  starting: false,
  host: '',
  error: null,
  recovered: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const clientProblems = (text: string): SpecProblem[] => {
  const result = parseSpecText(text);
  return result.ok ? [] : result.problems;
};

export const useBuilds = create<BuildsState>()((set, get) => {
  let validateTimer: ReturnType<typeof setTimeout> | null = null;
  const job = createJobSlice<BuildJob>(set, get, {
    noun: 'build',
    get: (id) => backend().request('builds.get', { id }),
    logs: (id, from, count) => backend().request('builds.logs', { id, from, count }),
    cancel: (id) => backend().request('builds.cancel', { id }),
    extra: (detail) => ({ specText: detail?.specText ?? null, expectedStepMs: detail?.expectedStepMs ?? null }),
  });

  async function validateOnBackend(text: string): Promise<void> {
    try {
      const { problems, specHash } = await backend().request('builds.validate', { specText: text });
      if (get().specText === text) set({ problems, specHash });
    } catch {
      // The inline check already ran; the backend's answer only adds the hash.
    }
  }

  return {
    ...initialBuildsData(),

    async load() {
      try {
        const [defaults, history] = await Promise.all([get().defaults ?? backend().request('builds.defaults', {}), backend().request('builds.list', {})]);
        set({ defaults, history });
        // An edit from before a reload comes back; the example only when there is none.
        if (get().specText === '') get().setSpecText(loadDraft(specDraft) ?? defaults.exampleSpec);
        await job.resync();
      } catch (error) {
        set({ error: `Could not load builds: ${messageOf(error)}` });
      }
    },

    setSpecText(text) {
      set({ specText: text, problems: clientProblems(text), specHash: null });
      keepDraft(specDraft, text, get().defaults?.exampleSpec ?? null);
      if (validateTimer) clearTimeout(validateTimer);
      validateTimer = setTimeout(() => void validateOnBackend(text), validateDelayMs);
    },

    setHost(host) {
      set({ host });
    },

    async start() {
      const { specText, starting, host } = get();
      // A second press before the first answer (a double click) starts nothing: the backend would refuse it anyway.
      if (starting) return null;
      set({ starting: true, error: null });
      try {
        const { id } = await backend().request('builds.start', host === '' ? { specText } : { specText, host });
        set({ starting: false });
        await get().select(id);
        return id;
      } catch (error) {
        set({ starting: false, error: messageOf(error) });
        return null;
      }
    },

    async rebuild(specText) {
      if (get().starting) return null;
      get().setSpecText(specText);
      return get().start();
    },

    select: job.select,
    cancel: job.cancel,

    dismissRecovered() {
      set({ recovered: null });
    },

    apply(event) {
      switch (event.topic) {
        case 'builds.started':
          job.started(event.payload);
          break;
        case 'builds.step':
          job.step(event.payload);
          break;
        case 'builds.log':
          job.log(event.payload);
          break;
        case 'builds.finished':
          job.finished(event.payload);
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

export const selectSelectedSummary = (s: BuildsState): BuildSummary | null => selectSelectedJob(s);
