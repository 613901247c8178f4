import { create } from 'zustand';
import type { BootDetail, BootLogLine, BootSummary, SlipwayEvent } from '../../../shared/contract/index.js';
import type { ExpectedStepMs } from '../../../shared/jobs/step-estimate.js';
import { backend } from '../connection/backend.js';
import { createJobSlice, initialJobData, selectSelectedJob, type JobActions, type JobData, type SelectedJob } from '../jobs/job-slice.js';

/** Boot tests as the job part types them: besides steps, what earlier boots took (the time left). */
interface BootJob {
  detail: BootDetail;
  line: BootLogLine;
  extra: { expectedStepMs: ExpectedStepMs | null };
}

export type SelectedBoot = SelectedJob<BootJob>;

interface BootData extends JobData<BootJob> {
  /** The build whose boot test is being asked for: the button says "Starting…" until the answer. */
  starting: string | null;
  error: string | null;
}

interface BootActions extends JobActions {
  load(): Promise<void>;
  start(buildId: string): Promise<void>;
  apply(event: SlipwayEvent): void;
  dismissError(): void;
}

export type BootState = BootData & BootActions;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const useBoots = create<BootState>()((set, get) => {
  const job = createJobSlice<BootJob>(set, get, {
    noun: 'boot test',
    get: (id) => backend().request('boot.get', { id }),
    logs: (id, from, count) => backend().request('boot.logs', { id, from, count }),
    cancel: (id) => backend().request('boot.cancel', { id }),
    extra: (detail) => ({ expectedStepMs: detail?.expectedStepMs ?? null }),
  });
  return {
    ...initialJobData<BootJob>(),
    starting: null,
    error: null,

    async load() {
      try {
        set({ history: await backend().request('boot.list', {}) });
        await job.resync();
      } catch (error) {
        set({ error: `Could not load boot tests: ${messageOf(error)}` });
      }
    },

    async start(buildId) {
      if (get().starting) return;
      set({ starting: buildId, error: null });
      try {
        const { id } = await backend().request('boot.start', { buildId });
        void get().select(id);
      } catch (error) {
        set({ error: `Boot test of ${buildId} not started: ${messageOf(error)}` });
      } finally {
        set({ starting: null });
      }
    },

    select: job.select,
    cancel: job.cancel,

    apply(event) {
      if (event.topic === 'boot.started') job.started(event.payload);
      else if (event.topic === 'boot.step') job.step(event.payload);
      else if (event.topic === 'boot.log') job.log(event.payload);
      else if (event.topic === 'boot.finished') job.finished(event.payload);
    },

    dismissError: () => set({ error: null }),
  };
});

export const selectSelectedBoot = (s: BootState): BootSummary | null => selectSelectedJob(s);

/** The newest boot test of a build, if any: what its panel shows. */
export const selectLatestBootOf = (buildId: string) => (s: BootState): BootSummary | null => s.history.find((boot) => boot.buildId === buildId) ?? null;
