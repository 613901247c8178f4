import type { LogBatch } from '../../../shared/contract/index.js';
import { LogBuffer, type ShownLine } from '../lib/log-buffer.js';
import { createLogFill } from '../lib/log-fill.js';
import { perFrame } from '../lib/per-frame.js';

/** A flooding log's revisions (and its step's progress) at most this often (~20 a second, every third frame at 60 Hz; rAF timestamps jitter by a millisecond or two). */
const logAnnounceGapMs = 45;

/** The contract's largest page. */
export const logPageSize = 5_000;

/** What the job part reads of a job's detail (`builds.get`, `deploy.get`, and the `*.started` events). */
export interface JobDetail {
  summary: { id: string; startedAt: string };
  steps: { id: string; status: string }[];
  logTotal: number;
}

/** A kind of job as the contract types it: builds and deploys. */
export interface JobTypes {
  detail: JobDetail;
  line: ShownLine;
  /** What the kind keeps of the selected job besides its steps: a build's spec text, a deploy's environment. */
  extra: object;
}

export type SummaryOf<T extends JobTypes> = T['detail']['summary'];
export type StepOf<T extends JobTypes> = T['detail']['steps'][number];
export interface JobSelection<St> {
  id: string;
  /** Null until `*.get` or `*.started` gave them. */
  steps: St[] | null;
}
export type SelectedJob<T extends JobTypes> = JobSelection<StepOf<T>> & T['extra'];

/** The job part of a store: the history, the selected job and its log. */
export interface JobData<T extends JobTypes> {
  /** Newest first; the selected job's summary is read from here, never kept twice. */
  history: SummaryOf<T>[];
  selected: SelectedJob<T> | null;
  /** The selected job's log; `logRevision` changes whenever it grows. */
  log: LogBuffer<T['line']>;
  logRevision: number;
  /** Lines the backend holds for the selected job, as far as the store knows. */
  logTotal: number;
  logLoading: boolean;
}

export interface JobActions {
  select(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
}

/** The store as the job part sees it: its own data and the store's error line. */
export type JobView<T extends JobTypes> = JobData<T> & { error: string | null };
type JobSet<T extends JobTypes> = (partial: Partial<JobView<T>> | ((state: JobView<T>) => Partial<JobView<T>>)) => void;

/** How a kind reaches the backend, and what it keeps of a selected job. */
export interface JobPort<T extends JobTypes> {
  /** For messages: "build", "deploy". */
  noun: string;
  get(id: string): Promise<T['detail']>;
  logs(id: string, from: number, count: number): Promise<{ lines: T['line'][]; total: number }>;
  cancel(id: string): Promise<unknown>;
  /** The kind's fields of the selection, from the detail once there is one. */
  extra(detail: T['detail'] | null): T['extra'];
}

export const initialJobData = <T extends JobTypes>(): JobData<T> => ({
  history: [],
  selected: null,
  log: new LogBuffer<T['line']>(),
  logRevision: 0,
  logTotal: 0,
  logLoading: false,
});

function upsertJob<S extends JobDetail['summary']>(history: readonly S[], summary: S): S[] {
  return [summary, ...history.filter((j) => j.id !== summary.id)].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export const selectSelectedJob = <T extends JobTypes>(s: JobData<T>): SummaryOf<T> | null => {
  const id = s.selected?.id;
  return id === undefined ? null : (s.history.find((j) => j.id === id) ?? null);
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The job part of a store, written once for builds and deploys: built with the
 * store's `set` and `get`, it gives the `select` and `cancel` actions, the
 * resync, and a handler for each of the kind's `started`, `step`, `log` and
 * `finished` events (the store's `apply` routes its topics to them).
 */
export function createJobSlice<T extends JobTypes>(set: JobSet<T>, get: () => JobView<T>, port: JobPort<T>) {
  const isSelected = (id: string) => get().selected?.id === id;
  const selection = (id: string, detail: T['detail'] | null): SelectedJob<T> => ({ id, steps: detail?.steps ?? null, ...port.extra(detail) });

  const fillLog = createLogFill<T['line']>({
    // The selection check before each page: a fill whose job is no longer selected stops, and its page is dropped.
    buffer: (id) => (isSelected(id) ? get().log : null),
    page: (id, from) => port.logs(id, from, logPageSize),
    appended: (total) => set((s) => ({ logRevision: s.logRevision + 1, logTotal: Math.max(s.logTotal, total) })),
    loading: (on) => set({ logLoading: on }),
    failed: (error) => set({ error: `Could not load the ${port.noun} log: ${messageOf(error)}` }),
  });

  // A flood's batches go into the buffer as they come; the store (and React) hears of them once a frame, and
  // at most every third one: no one reads 3,000 lines a frame, and the frames between go to input and the socket.
  let shownTotal = 0;
  let logGrew = false;

  // A running step's progress (one event a batch of lines: a hundred a second in a flood) reaches the store
  // once in a few frames, the newest per step; a change of status goes at once, after what waits before it.
  let waitingSteps = new Map<string, StepOf<T>>();
  let waitingFor: string | null = null;
  // `now`: a change of status, applied as it is; the progress that waited goes only onto a step still running
  // (a resync meanwhile may have brought the step's end).
  function flushSteps(now?: StepOf<T>): void {
    const id = waitingFor;
    const updates = waitingSteps;
    waitingSteps = new Map();
    waitingFor = null;
    if (id === null || (updates.size === 0 && !now)) return;
    set((s) => {
      if (s.selected?.id !== id || !s.selected.steps) return {};
      const steps = s.selected.steps.map((old) => (old.id === now?.id ? now : old.status === 'running' ? (updates.get(old.id) ?? old) : old));
      return { selected: { ...s.selected, steps } };
    });
  }
  // One run for both, so a flood's new rows and its step's progress change the screen in the same frame.
  const later = perFrame(() => {
    flushSteps();
    if (!logGrew) return;
    logGrew = false;
    set((s) => ({ logRevision: s.logRevision + 1, logTotal: Math.max(s.logTotal, shownTotal) }));
  }, logAnnounceGapMs);

  async function refreshSelected(id: string): Promise<void> {
    try {
      const detail = await port.get(id);
      if (!isSelected(id)) return;
      set((s) => ({ selected: selection(id, detail), history: upsertJob(s.history, detail.summary), logTotal: Math.max(s.logTotal, detail.logTotal) }));
    } catch (error) {
      set({ error: `Could not load ${port.noun} ${id}: ${messageOf(error)}` });
    }
  }

  return {
    async select(id: string): Promise<void> {
      if (isSelected(id)) return;
      shownTotal = 0;
      waitingSteps = new Map();
      waitingFor = null;
      set({ selected: selection(id, null), log: new LogBuffer<T['line']>(), logRevision: 0, logTotal: 0 });
      await Promise.all([refreshSelected(id), fillLog(id)]);
    },

    async cancel(id: string): Promise<void> {
      try {
        await port.cancel(id);
      } catch (error) {
        set({ error: `Could not cancel: ${messageOf(error)}` });
      }
    },

    /** After a resync: the selected job's steps are refetched and its log completed from where it stopped. */
    async resync(): Promise<void> {
      const id = get().selected?.id;
      if (id) await Promise.all([refreshSelected(id), fillLog(id)]);
    },

    started(detail: T['detail']): void {
      const { summary } = detail;
      set((s) => ({
        history: upsertJob(s.history, summary),
        ...(s.selected?.id === summary.id ? { selected: selection(summary.id, detail), logTotal: Math.max(s.logTotal, detail.logTotal) } : {}),
      }));
    },

    step({ id, step }: { id: string; step: StepOf<T> }): void {
      const steps = get().selected?.id === id ? get().selected?.steps : null;
      if (!steps) return;
      if (waitingFor !== id) waitingSteps = new Map();
      waitingFor = id;
      const shown = steps.find((old) => old.id === step.id);
      if (step.status === 'running' && shown?.status === 'running') {
        waitingSteps.set(step.id, step);
        later();
        return;
      }
      waitingSteps.delete(step.id);
      flushSteps(step);
    },

    log(batch: LogBatch<T['line']['step'] & string>): void {
      const { log } = get();
      if (!isSelected(batch.id) || batch.texts.length === 0) return;
      const id = batch.id;
      log.appendBatch(batch);
      shownTotal = Math.max(shownTotal, batch.from + batch.texts.length);
      logGrew = true;
      later();
      // Lines past a gap (events dropped before a resync) are held until the missing ones are fetched.
      if (log.waiting) void fillLog(id);
    },

    finished(summary: SummaryOf<T>): void {
      set((s) => ({ history: upsertJob(s.history, summary) }));
    },
  };
}
