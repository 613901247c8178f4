import { create } from 'zustand';
import { defaultView, views } from './views.js';

function viewFromHash(hash: string): string {
  const id = hash.replace(/^#\/?/, '');
  return views.some((view) => view.id === id) ? id : defaultView;
}

interface RouteState {
  view: string;
  go(view: string): void;
}

/** The current view lives in the URL hash, so reload and back keep the operator's place. */
export const useRoute = create<RouteState>()((set) => ({
  view: viewFromHash(window.location.hash),
  go(view) {
    window.location.hash = `#/${view}`;
    set({ view });
  },
}));

window.addEventListener('hashchange', () => useRoute.setState({ view: viewFromHash(window.location.hash) }));
