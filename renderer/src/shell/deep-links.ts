import { useApps } from '../apps/apps-store.js';
import { useBuilds } from '../builds/builds-store.js';
import { useCells } from '../cells/cells-store.js';
import { findRow, keyOf, useContainers } from '../containers/containers-store.js';
import { useNodes } from '../nodes/nodes-store.js';
import { useDeploy } from '../publish/deploy-store.js';
import { useRoute } from './route-store.js';

/** How a view's selection is read, asked for and known, for the URL. */
interface Area {
  selected(): string | null;
  select(item: string): void;
  /** Whether the item exists: null while the view's list has not arrived. */
  has(item: string): boolean | null;
  subscribe(listener: () => void): () => void;
}

const listed = (ids: readonly string[], item: string) => (ids.length === 0 ? null : ids.includes(item));

const areas: Record<string, Area> = {
  builds: {
    selected: () => useBuilds.getState().selected?.id ?? null,
    select: (id) => void useBuilds.getState().select(id),
    has: (id) => listed(useBuilds.getState().history.map((b) => b.id), id),
    subscribe: (listener) => useBuilds.subscribe(listener),
  },
  publish: {
    selected: () => useDeploy.getState().selected?.id ?? null,
    select: (id) => void useDeploy.getState().select(id),
    has: (id) => listed(useDeploy.getState().history.map((d) => d.id), id),
    subscribe: (listener) => useDeploy.subscribe(listener),
  },
  applications: {
    selected: () => useApps.getState().selected?.id ?? null,
    select: (id) => void useApps.getState().select(id),
    has: (id) => listed(useApps.getState().runs.map((r) => r.id), id),
    subscribe: (listener) => useApps.subscribe(listener),
  },
  nodes: {
    selected: () => useNodes.getState().open,
    select: (name) => useNodes.getState().openNode(name),
    has: (name) => listed(Object.keys(useNodes.getState().statuses), name),
    subscribe: (listener) => useNodes.subscribe(listener),
  },
  containers: {
    // `node/instance`: Treadmill's instance names hold no '/', so the first one splits them.
    selected: () => {
      const key = useContainers.getState().selected;
      return key ? `${key.node}/${key.instance}` : null;
    },
    select: (item) => {
      const row = containerRow(item);
      if (row) useContainers.getState().select(keyOf(row));
    },
    has: (item) => {
      const node = item.slice(0, item.indexOf('/'));
      return useContainers.getState().rows.byNode[node] ? containerRow(item) !== null : null;
    },
    subscribe: (listener) => useContainers.subscribe(listener),
  },
  cells: {
    // `cell/instance`: cell names hold no '/', so the first one splits them.
    selected: () => {
      const { current, selected } = useCells.getState();
      return current === null ? null : selected === null ? current : `${current}/${selected}`;
    },
    select: (item) => {
      const slash = item.indexOf('/');
      const cell = slash < 0 ? item : item.slice(0, slash);
      void useCells.getState().show(cell);
      if (slash > 0) useCells.getState().select(item.slice(slash + 1));
    },
    has: (item) => {
      const { listed, cells } = useCells.getState();
      const cell = item.includes('/') ? item.slice(0, item.indexOf('/')) : item;
      return listed ? cells.some((c) => c.name === cell) : null;
    },
    subscribe: (listener) => useCells.subscribe(listener),
  },
};

function containerRow(item: string) {
  const slash = item.indexOf('/');
  if (slash < 1) return null;
  return findRow(useContainers.getState(), item.slice(0, slash), item.slice(slash + 1));
}

/**
 * Keeps the URL and the selection of the current view in step, both ways. A
 * route's item (from a link, a reload, back/forward) is selected once the
 * view's list has it; until then the view's own default selection does not
 * overwrite the URL. After that the selection drives the URL: the operator's
 * choices are new history entries, a view's default replaces the entry.
 */
export function followDeepLinks(): () => void {
  // The route's item is still to be selected: set when the route changes, cleared once it is (or cannot be).
  let pending: string | null = null;
  let asked: string | null = null;

  const reconcile = () => {
    const { view, item } = useRoute.getState();
    const area = areas[view];
    if (!area) return;
    const current = area.selected();
    if (pending !== null) {
      if (current === pending) pending = null;
      else {
        const known = area.has(pending);
        if (known === null) return;
        if (known === false) {
          // A link to what is not there (any more): the URL says what is shown instead, with no new history entry, so back still leaves.
          pending = null;
          if (current !== item) useRoute.getState().replace(current);
          return;
        } else {
          if (asked !== pending) {
            asked = pending;
            area.select(pending);
          }
          return;
        }
      }
    }
    if (current === item) return;
    if (item === null) useRoute.getState().replace(current);
    else useRoute.getState().push(current);
  };

  const unsubscribers = Object.values(areas).map((area) => area.subscribe(reconcile));
  let last = { view: '', item: null as string | null };
  unsubscribers.push(
    useRoute.subscribe((route) => {
      if (route.view === last.view && route.item === last.item) return;
      last = { view: route.view, item: route.item };
      pending = route.item;
      asked = null;
      reconcile();
    }),
  );
  last = { view: useRoute.getState().view, item: useRoute.getState().item };
  pending = useRoute.getState().item;
  reconcile();
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
