import { create } from 'zustand';
import { parseRoute, routeHash, type Route } from './route.js';

interface RouteState extends Route {
  /** To a view (with what it selects, if given): a new entry in the browser's history. */
  go(view: string, item?: string | null): void;
  /** The selection changed where the operator is: a new history entry, so back returns to the previous one. */
  push(item: string | null): void;
  /** The URL catches up with a selection the view made itself (its default): no new history entry. */
  replace(item: string | null): void;
}

/** The current view and selection live in the URL hash, so reload, links and back/forward keep the operator's place. */
export const useRoute = create<RouteState>()((set, get) => ({
  ...parseRoute(window.location.hash),
  go(view, item = null) {
    const next = { view, item };
    window.location.hash = routeHash(next);
    set(next);
  },
  push(item) {
    get().go(get().view, item);
  },
  replace(item) {
    const next = { view: get().view, item };
    window.history.replaceState(window.history.state, '', routeHash(next));
    set(next);
  },
}));

window.addEventListener('hashchange', () => useRoute.setState(parseRoute(window.location.hash)));
