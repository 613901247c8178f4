import { create } from 'zustand';
import { formFromDeploy, type DeployFormValues } from './deploy-form.js';
import type { ExpectedStepMs } from '../../../shared/jobs/step-estimate.js';
import type { DeployDetail, DeployLogLine, DeployRequestInput, DeploySummary, ResponseOf, SlipwayEvent } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { backend } from '../connection/backend.js';
import { createJobSlice, initialJobData, selectSelectedJob, type JobActions, type JobData, type SelectedJob } from '../jobs/job-slice.js';

export type DeployCatalog = ResponseOf<'deploy.catalog'>;
export type StartOutcome = { ok: true; id: string } | { ok: false; message: string; field: string | null };

/** Deploys as the job part types them. */
interface DeployJob {
  detail: DeployDetail;
  line: DeployLogLine;
  /** As the backend keeps it: secret-looking values masked. */
  extra: { env: Record<string, string> | null; expectedStepMs: ExpectedStepMs | null };
}

export type SelectedDeploy = SelectedJob<DeployJob>;

/** The job part (history, selected deploy, its log) comes from `JobData`. */
interface DeployData extends JobData<DeployJob> {
  catalog: DeployCatalog | null;
  starting: boolean;
  error: string | null;
  /** "Deploy again": the form's values from an earlier deploy; `revision` tells the form a new one arrived. */
  prefill: { values: DeployFormValues; revision: number } | null;
}

interface DeployActions extends JobActions {
  load(): Promise<void>;
  loadCatalog(): Promise<void>;
  start(request: DeployRequestInput): Promise<StartOutcome>;
  /** Fills the form as the selected deploy had it (secrets to be typed again). */
  deployAgain(): void;
  apply(event: SlipwayEvent): void;
  dismissError(): void;
}

export type DeployState = DeployData & DeployActions;

export const initialDeployData = (): DeployData => ({
  ...initialJobData<DeployJob>(),
  catalog: null,
  starting: false,
  error: null,
  prefill: null,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const useDeploy = create<DeployState>()((set, get) => {
  const job = createJobSlice<DeployJob>(set, get, {
    noun: 'deploy',
    get: (id) => backend().request('deploy.get', { id }),
    logs: (id, from, count) => backend().request('deploy.logs', { id, from, count }),
    cancel: (id) => backend().request('deploy.cancel', { id }),
    extra: (detail) => ({ env: detail?.env ?? null, expectedStepMs: detail?.expectedStepMs ?? null }),
  });

  return {
    ...initialDeployData(),

    async load() {
      try {
        const [catalog, history] = await Promise.all([backend().request('deploy.catalog', {}), backend().request('deploy.list', {})]);
        set({ catalog, history });
        await job.resync();
      } catch (error) {
        set({ error: `Could not load deploys: ${messageOf(error)}` });
      }
    },

    async loadCatalog() {
      try {
        set({ catalog: await backend().request('deploy.catalog', {}) });
      } catch (error) {
        set({ error: `Could not load the extensions and images: ${messageOf(error)}` });
      }
    },

    async start(request) {
      // A second press before the first answer starts nothing (the backend refuses a second deploy to one target too).
      if (get().starting) return { ok: false, message: 'a deploy is already being started', field: null };
      set({ starting: true, error: null });
      try {
        const { id } = await backend().request('deploy.start', request);
        set({ starting: false });
        void get().select(id);
        return { ok: true, id };
      } catch (error) {
        set({ starting: false });
        return { ok: false, message: messageOf(error), field: error instanceof BackendError ? (error.field ?? null) : null };
      }
    },

    deployAgain() {
      const { selected, history, prefill } = get();
      const summary = history.find((d) => d.id === selected?.id);
      if (!summary || !selected) return;
      set({ prefill: { values: formFromDeploy(summary, selected.env ?? {}), revision: (prefill?.revision ?? 0) + 1 } });
    },

    select: job.select,
    cancel: job.cancel,

    apply(event) {
      switch (event.topic) {
        case 'deploy.started':
          job.started(event.payload);
          break;
        case 'deploy.step':
          job.step(event.payload);
          break;
        case 'deploy.log':
          job.log(event.payload);
          break;
        case 'deploy.finished':
          job.finished(event.payload);
          break;
        default:
          break;
      }
    },

    dismissError: () => set({ error: null }),
  };
});

export const selectSelectedDeploy = (s: DeployState): DeploySummary | null => selectSelectedJob(s);
