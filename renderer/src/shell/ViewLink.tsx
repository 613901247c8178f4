import type { ReactNode } from 'react';
import { routeHash } from './route.js';
import { useRoute } from './route-store.js';

/**
 * A link to another view (and what it selects), through the route store: a
 * real `href` for middle-click and copying, a history entry for back.
 */
export function ViewLink({ view, item = null, className, children }: { view: string; item?: string | null; className?: string; children: ReactNode }) {
  const go = useRoute((s) => s.go);
  return (
    <a
      href={routeHash({ view, item })}
      className={className}
      data-view-link={view}
      onClick={(event) => {
        event.preventDefault();
        go(view, item);
      }}
    >
      {children}
    </a>
  );
}
