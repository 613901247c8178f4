import { defaultView, views } from './views.js';

/** Where the console is: a view and, in it, what is selected (a build id, a node's name, `node/instance`). */
export interface Route {
  view: string;
  item: string | null;
}

/**
 * `#/builds/20261202-ab12cd34`, `#/containers/rack1-n01/web%23001`: the view
 * and the selection in the URL, so a link pasted in a chat opens the same
 * thing and back/forward step through selections. The item is percent-encoded
 * as one segment per part; anything unknown falls back to the landing view.
 */
export function parseRoute(hash: string): Route {
  const [view = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  if (!views.some((v) => v.id === view)) return { view: defaultView, item: null };
  try {
    const item = rest.map((part) => decodeURIComponent(part)).join('/');
    return { view, item: item === '' ? null : item };
  } catch {
    return { view, item: null };
  }
}

export function routeHash({ view, item }: Route): string {
  return item === null ? `#/${view}` : `#/${view}/${item.split('/').map(encodeURIComponent).join('/')}`;
}
