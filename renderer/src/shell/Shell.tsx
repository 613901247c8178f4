import { useMemo } from 'react';
import { AppsView } from '../apps/AppsView.js';
import { BuildsView } from '../builds/BuildsView.js';
import { CellsView } from '../cells/CellsView.js';
import { ContainersView } from '../containers/ContainersView.js';
import { selectPendingCount, useNodes } from '../nodes/nodes-store.js';
import { NodesView } from '../nodes/NodesView.js';
import { PublishView } from '../publish/PublishView.js';
import { ReadinessView } from '../readiness/ReadinessView.js';
import { TerminalDock } from '../terminal/TerminalDock.js';
import { ConnectionIndicator } from './ConnectionIndicator.js';
import { unseenByView } from './activity.js';
import { useActivity } from './activity-store.js';
import { JobTray } from './JobTray.js';
import { BackendLostBanner, selectLost } from './BackendLostBanner.js';
import { useConnection } from '../connection/connection-store.js';
import { PlannedView } from './PlannedView.js';
import { ThemeToggle } from './ThemeToggle.js';
import { useRoute } from './route-store.js';
import { views, type ViewInfo } from './views.js';

function ViewContent({ view }: { view: ViewInfo }) {
  if (view.planned) return <PlannedView view={view} />;
  if (view.id === 'builds') return <BuildsView />;
  if (view.id === 'nodes') return <NodesView />;
  if (view.id === 'publish') return <PublishView />;
  if (view.id === 'applications') return <AppsView />;
  if (view.id === 'containers') return <ContainersView />;
  if (view.id === 'cells') return <CellsView />;
  return <ReadinessView />;
}

export function Shell() {
  const current = useRoute((s) => s.view);
  const go = useRoute((s) => s.go);
  const waiting = useNodes(selectPendingCount);
  const lost = useConnection(selectLost);
  const activity = useActivity((s) => s.items);
  const unseen = useMemo(() => unseenByView(activity), [activity]);
  const view = views.find((v) => v.id === current) ?? views[0]!;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <svg className="brand__mark" viewBox="0 0 24 24" aria-hidden="true">
            <path d="M3 17h18l-3 4H6z M12 2v13 M12 3l7 11h-7z M11 6l-5 8h5z" />
          </svg>
          <span className="brand__name">Slipway</span>
        </div>
        <ul className="nav">
          {views.map((v) => (
            <li key={v.id}>
              <a
                href={`#/${v.id}`}
                className={`nav__item${v.id === current ? ' nav__item--active' : ''}`}
                aria-current={v.id === current ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  go(v.id);
                }}
              >
                {v.label}
                {v.planned && <span className="nav__soon">soon</span>}
                {(unseen[v.id] ?? 0) > 0 && (
                  <span className="nav__count nav__count--jobs" data-testid={`nav-jobs-${v.id}`} title="Jobs that ended while you were elsewhere">
                    {unseen[v.id]}
                    <span className="visually-hidden"> finished job{unseen[v.id] === 1 ? '' : 's'} not seen</span>
                  </span>
                )}
                {v.id === 'nodes' && waiting > 0 && (
                  <span className="nav__count" title="Host keys and key passphrases waiting for an answer">
                    {waiting}
                    <span className="visually-hidden"> prompt{waiting === 1 ? '' : 's'} to answer</span>
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
        <JobTray />
        <ThemeToggle />
        <ConnectionIndicator />
      </nav>
      <main className="main">
        <BackendLostBanner />
        <div className={lost ? 'main__views main__views--lost' : 'main__views'} inert={lost} aria-busy={lost || undefined}>
          <ViewContent view={view} />
          <TerminalDock />
        </div>
      </main>
    </div>
  );
}
