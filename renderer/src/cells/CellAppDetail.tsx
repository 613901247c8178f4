import type { CellApp, CellTraceEvent } from '../../../shared/contract/cells.js';
import { EventTimeline, type TimelineLine } from '../containers/EventTimeline.js';
import { formatTime } from '../lib/format.js';
import { Fact } from '../shell/Fact.js';
import { lastResult } from '../lib/last-result.js';
import { useNodes } from '../nodes/nodes-store.js';
import { useContainers } from '../containers/containers-store.js';
import { routeHash } from '../shell/route.js';
import { useRoute } from '../shell/route-store.js';
import { exitText } from './cell-rows.js';
import { useCellTrace } from './cell-trace-store.js';
import { CellAppBadge } from './CellStateBadge.js';
import { selectApp, useCells } from './cells-store.js';

const asTimeline = (events: readonly CellTraceEvent[]): TimelineLine[] => events.map((event) => ({ key: event.node, at: event.when * 1000, type: event.type, text: `${event.text} (${event.source})` }));
const timelineOf = lastResult(asTimeline);

/**
 * From the cell to the node: that server's containers read over SSH, when
 * the inventory holds it. The Containers view opens on the node, with the
 * instance selected when the node's scan lists it.
 */
function ServerLink({ app }: { app: CellApp }) {
  const known = useNodes((s) => app.server !== null && s.statuses[app.server] !== undefined);
  const go = useRoute((s) => s.go);
  const server = app.server;
  if (server === null) return <span className="muted">not placed</span>;
  const item = `${server}/${app.instance}`;
  return (
    <>
      <span className="mono">{server}</span>{' '}
      {known ? (
        <a
          href={routeHash({ view: 'containers', item })}
          className="button button--small"
          onClick={(event) => {
            event.preventDefault();
            useContainers.getState().showNode(server);
            go('containers', item);
          }}
        >
          Its node’s containers
        </a>
      ) : (
        <span className="muted">(not in the inventory: add it in Nodes to read its containers)</span>
      )}
    </>
  );
}

/** The selected app: where it is, how it ended, and its trace from the cell's /trace shard, live. */
export function CellAppDetail() {
  const instance = useCells((s) => s.selected);
  const app = useCells(selectApp);
  const select = useCells((s) => s.select);
  const lines = useCellTrace((s) => timelineOf(s.events));
  const loading = useCellTrace((s) => s.loading);
  const error = useCellTrace((s) => s.error);
  if (instance === null) return <p className="containers__hint muted">Select an app to see where it runs and its trace.</p>;
  return (
    <section className="panel cdetail" aria-labelledby="cell-app-title" data-state={app?.state ?? 'gone'}>
      <header className="node__header">
        <h2 id="cell-app-title" className="node__name">{instance}</h2>
        {app && <CellAppBadge state={app.state} />}
        <span className="node__grow" />
        <button type="button" className="button button--small button--quiet" aria-label="Close the detail" onClick={() => select(null)}>
          ✕
        </button>
      </header>
      {!app && (
        <div className="callout" data-callout="gone">
          <p>This instance is no longer in the cell (its record was removed); its trace stays below.</p>
        </div>
      )}
      <div className="cdetail__body">
        {app && (
          <dl className="node__facts cdetail__facts" aria-label="App facts">
            <Fact term="Proid"><span className="mono">{app.proid}</span></Fact>
            <Fact term="State" col="state"><CellAppBadge state={app.state} /></Fact>
            <Fact term="Server" col="server"><ServerLink app={app} /></Fact>
            {app.when !== null && <Fact term="Ended" col="when"><span className="mono">{formatTime(app.when * 1000)}</span></Fact>}
            {app.exit !== null && <Fact term="Exit" col="exit"><span className="mono">{exitText(app)}</span></Fact>}
          </dl>
        )}
        <EventTimeline lines={lines} loading={loading} error={error} empty={`No trace events for ${instance} in this cell.`} />
      </div>
    </section>
  );
}
