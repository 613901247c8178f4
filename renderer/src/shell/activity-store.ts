import { create } from 'zustand';
import type { SlipwayEvent } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { applyEvent, appActivity, documentTitle, startedActivity, type Activity } from './activity.js';
import { notifyEnded } from './job-notifications.js';
import { useRoute } from './route-store.js';

interface ActivityState {
  items: readonly Activity[];
  apply(event: SlipwayEvent): void;
  /** Running jobs as the backend has them now (at connect, after a reconnect): the tray starts from them. */
  load(): Promise<void>;
  /** The operator is looking at `view`: its finished jobs are seen. */
  seeView(view: string): void;
  see(key: string): void;
}

/** Whether the operator is looking at a view: it is the current one and the page is visible. */
const watching = (view: string) => document.visibilityState === 'visible' && useRoute.getState().view === view;

export const useActivity = create<ActivityState>()((set, get) => ({
  items: [],

  apply(event) {
    const { items, ended } = applyEvent(get().items, event, watching);
    if (items === get().items) return;
    set({ items });
    if (ended && !ended.seen) notifyEnded(ended);
  },

  async load() {
    try {
      const [builds, deploys, boots, runs] = await Promise.all([
        backend().request('builds.list', {}),
        backend().request('deploy.list', {}),
        backend().request('boot.list', {}),
        backend().request('apps.runs', {}),
      ]);
      // Details for the running ones only: their steps and expected durations drive the progress bars.
      const running = await Promise.all([
        ...builds.filter((b) => b.status === 'running').map(async (b) => startedActivity('build', await backend().request('builds.get', { id: b.id }))),
        ...deploys.filter((d) => d.status === 'running').map(async (d) => startedActivity('deploy', await backend().request('deploy.get', { id: d.id }))),
        ...boots.filter((b) => b.status === 'running').map(async (b) => startedActivity('boot', await backend().request('boot.get', { id: b.id }))),
      ]);
      const apps = runs.filter((run) => run.active).map((run) => appActivity(run, true));
      const live = new Set([...running, ...apps].map((a) => a.key));
      // Finished ones the tray already shows stay (unseen ones still count); running ones are replaced by the backend's view.
      const kept = get().items.filter((a) => a.status !== 'running' && !live.has(a.key));
      set({ items: [...running, ...apps, ...kept].sort((a, b) => b.startedAt.localeCompare(a.startedAt)) });
    } catch {
      // The tray is a convenience: the views load (and say why not) on their own.
    }
  },

  seeView(view) {
    if (!get().items.some((a) => a.view === view && a.status !== 'running' && !a.seen)) return;
    set({ items: get().items.map((a) => (a.view === view && a.status !== 'running' ? { ...a, seen: true } : a)) });
  },

  see(key) {
    set({ items: get().items.map((a) => (a.key === key ? { ...a, seen: true } : a)) });
  },
}));

// The title follows the unseen count; coming to a view, or back to the page, is seeing what it shows.
useActivity.subscribe((state) => {
  const title = documentTitle(state.items);
  if (document.title !== title) document.title = title;
});
useRoute.subscribe((route) => useActivity.getState().seeView(route.view));
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') useActivity.getState().seeView(useRoute.getState().view);
});
