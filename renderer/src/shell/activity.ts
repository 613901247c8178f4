import type { AppRunSummary, SlipwayEvent } from '../../../shared/contract/index.js';
import type { ExpectedStepMs, TimedStep } from '../../../shared/jobs/step-estimate.js';
import { runOutcome } from '../apps/run-view.js';

/**
 * Every job of every kind in one list, for the shell (the tray, the nav
 * badges, the title, desktop notifications): pure functions of the backend's
 * job events, so the rules are tested without a page.
 */
export type ActivityKind = 'build' | 'deploy' | 'boot' | 'app';
export type ActivityStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'stopped';

export interface Activity {
  /** `build:<id>`: unique across kinds. */
  key: string;
  kind: ActivityKind;
  id: string;
  /** "Build lab-node", "Deploy to tar:/srv/x.tar". */
  title: string;
  /** The view that shows it. */
  view: string;
  /** For a boot test: the build it boots (the Builds view shows the test in that build). */
  buildId: string | null;
  status: ActivityStatus;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  steps: TimedStep[] | null;
  expectedStepMs: ExpectedStepMs | null;
  /** A finished job stays in the tray, counted in badges and the title, until the operator has seen it. */
  seen: boolean;
}

/** How many finished jobs the tray keeps. */
export const keptFinished = 30;

const kinds = { builds: 'build', deploy: 'deploy', boot: 'boot' } as const;
const views: Record<ActivityKind, string> = { build: 'builds', deploy: 'publish', boot: 'builds', app: 'applications' };

/** An app run's status in the tray, from the one reading of how a run went (the run list's). */
export function appRunStatus(run: AppRunSummary): ActivityStatus {
  const outcome = runOutcome(run);
  if (outcome === 'live') return 'running';
  if (outcome === 'failed' || outcome === 'partly failed') return 'failed';
  return outcome === 'stopped' ? 'stopped' : 'succeeded';
}

interface StartedJob {
  summary: { id: string; startedAt: string };
  steps: TimedStep[];
  expectedStepMs?: ExpectedStepMs | null | undefined;
}

function titleOf(kind: ActivityKind, summary: Record<string, unknown>): string {
  if (kind === 'build') return `Build ${String(summary.name)}`;
  if (kind === 'deploy') return `Deploy to ${String(summary.target)}`;
  if (kind === 'boot') return `Boot test of ${String(summary.buildId)}`;
  return `Run ${String(summary.app)}`;
}

/** A job as the tray first shows it (from a `*.started` event, or a running job read at connect). */
export function startedActivity(kind: Exclude<ActivityKind, 'app'>, detail: StartedJob): Activity {
  const summary = detail.summary as StartedJob['summary'] & Record<string, unknown>;
  return {
    key: `${kind}:${summary.id}`,
    kind,
    id: summary.id,
    title: titleOf(kind, summary),
    view: views[kind],
    buildId: kind === 'boot' ? String(summary.buildId) : null,
    status: 'running',
    startedAt: summary.startedAt,
    finishedAt: null,
    error: null,
    steps: detail.steps,
    expectedStepMs: detail.expectedStepMs ?? null,
    seen: false,
  };
}

export function appActivity(run: AppRunSummary, seen: boolean): Activity {
  const status = appRunStatus(run);
  return {
    key: `app:${run.id}`, kind: 'app', id: run.id, title: titleOf('app', run), view: views.app, buildId: null,
    status, startedAt: run.startedAt, finishedAt: status === 'running' ? null : new Date().toISOString(), error: null,
    steps: null, expectedStepMs: null, seen: status === 'running' || seen,
  };
}

/** Newest first; finished ones beyond `keptFinished` dropped, seen ones first. */
function upsert(items: readonly Activity[], item: Activity): Activity[] {
  const rest = items.filter((other) => other.key !== item.key);
  const next = [item, ...rest].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const finished = next.filter((a) => a.status !== 'running');
  if (finished.length <= keptFinished) return next;
  const drop = new Set([...finished].sort((a, b) => Number(a.seen) - Number(b.seen)).slice(keptFinished).map((a) => a.key));
  return next.filter((a) => !drop.has(a.key));
}

/** What one event changes; `watching(view)` says whether the operator is looking at that view right now. */
export function applyEvent(items: readonly Activity[], event: SlipwayEvent, watching: (view: string) => boolean): { items: readonly Activity[]; ended: Activity | null } {
  const [area, what] = event.topic.split('.') as [string, string];
  if (event.topic === 'apps.run') {
    const run = event.payload as AppRunSummary;
    const known = items.find((a) => a.key === `app:${run.id}`);
    // Runs first seen ended are old news (another client's history): the tray shows what happens from now on.
    if (!known && !run.active) return { items, ended: null };
    if (known && known.status !== 'running' && !run.active) return { items, ended: null };
    const next = appActivity(run, watching(views.app));
    return { items: upsert(items, next), ended: next.status === 'running' ? null : next };
  }
  const kind = kinds[area as keyof typeof kinds];
  if (!kind) return { items, ended: null };
  if (what === 'started') return { items: upsert(items, startedActivity(kind, event.payload as StartedJob)), ended: null };
  if (what === 'step') {
    const { id, step } = event.payload as { id: string; step: TimedStep };
    const known = items.find((a) => a.key === `${kind}:${id}`);
    if (!known?.steps) return { items, ended: null };
    const steps = known.steps.map((s) => (s.id === step.id ? step : s));
    return { items: items.map((a) => (a === known ? { ...a, steps } : a)), ended: null };
  }
  if (what === 'finished') {
    const summary = event.payload as { id: string; status: ActivityStatus; startedAt: string; finishedAt: string | null; error: string | null } & Record<string, unknown>;
    const known = items.find((a) => a.key === `${kind}:${summary.id}`);
    const base = known ?? startedActivity(kind, { summary, steps: [] });
    const ended: Activity = { ...base, status: summary.status, finishedAt: summary.finishedAt, error: summary.error, seen: watching(base.view) };
    return { items: upsert(items, ended), ended };
  }
  return { items, ended: null };
}

/** Finished jobs the operator has not seen, per view: the nav badges. */
export function unseenByView(items: readonly Activity[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) if (item.status !== 'running' && !item.seen) counts[item.view] = (counts[item.view] ?? 0) + 1;
  return counts;
}

/** "(2) Slipway" while two finished jobs are unseen. */
export function documentTitle(items: readonly Activity[]): string {
  const unseen = items.filter((item) => item.status !== 'running' && !item.seen).length;
  return unseen > 0 ? `(${unseen}) Slipway` : 'Slipway';
}
