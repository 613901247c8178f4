import type { CellServer } from '../../../shared/contract/cells.js';
import { formatTime } from '../lib/format.js';
import { visibleRange } from '../lib/virtual-window.js';
import { useScrollViewport } from '../containers/use-scroll-viewport.js';
import { formatCpu, formatMiB } from './cell-format.js';
import { CellServerBadge } from './CellStateBadge.js';
import { selectServers, useCells } from './cells-store.js';
import { cellRowHeight } from './CellAppTable.js';

const headerHeight = 32;

function ServerRow({ server, index, onShowApps }: { server: CellServer; index: number; onShowApps(host: string): void }) {
  return (
    <div role="row" aria-rowindex={index + 2} className="ctable__row" style={{ top: index * cellRowHeight, height: cellRowHeight }} data-host={server.host} data-state={server.state} onClick={() => onShowApps(server.host)}>
      <div role="rowheader" className="ctable__td mono" data-col="host" title={server.traits.length > 0 ? `traits: ${server.traits.join(', ')}` : undefined}>
        <button type="button" className="linklike mono" title="Show the apps placed on this server" onClick={(event) => { event.stopPropagation(); onShowApps(server.host); }}>
          {server.host}
        </button>
      </div>
      <div role="cell" className="ctable__td ctable__state" data-col="state">
        <CellServerBadge server={server} />
        {!server.present && server.state !== 'down' && <span className="chip" title="No /server.presence node: its session is gone">no presence</span>}
      </div>
      <div role="cell" className="ctable__td mono" data-col="partition">{server.partition ?? '—'}</div>
      <div role="cell" className="ctable__td mono num" data-col="memory">{formatMiB(server.capacity.memory)}</div>
      <div role="cell" className="ctable__td mono num" data-col="cpu">{formatCpu(server.capacity.cpu)}</div>
      <div role="cell" className="ctable__td mono num" data-col="disk">{formatMiB(server.capacity.disk)}</div>
      <div role="cell" className="ctable__td mono num" data-col="placed">{server.placed}</div>
      <div role="cell" className="ctable__td mono" data-col="since">{server.since === null ? '—' : formatTime(server.since * 1000)}</div>
    </div>
  );
}

/** The cell's servers: state from presence and placement, capacity as /servers records it, apps placed there; a click lists its apps. */
export function CellServerTable() {
  const servers = useCells(selectServers);
  const setFilter = useCells((s) => s.setFilter);
  const setTab = useCells((s) => s.setTab);
  const { viewport, scrollTop, height, onScroll } = useScrollViewport();
  const { first, end } = visibleRange({ scrollTop: scrollTop - headerHeight, viewportHeight: height, rowHeight: cellRowHeight, total: servers.length, overscan: 8 });
  const showApps = (server: string) => {
    setFilter({ server });
    setTab('apps');
  };
  return (
    <div ref={viewport} className="ctable__viewport" role="region" aria-label="Server list" tabIndex={0} onScroll={onScroll} data-testid="cell-servers-viewport">
      <div role="table" aria-label="Servers" aria-rowcount={servers.length + 1} className="ctable ctable--cell-servers">
        <div role="rowgroup" className="ctable__head">
          <div role="row" aria-rowindex={1} className="ctable__row ctable__row--head">
            {['Server', 'State', 'Partition', 'Memory', 'CPU', 'Disk', 'Placed', 'Since'].map((label) => (
              <div key={label} role="columnheader" className="ctable__th">{label}</div>
            ))}
          </div>
        </div>
        <div role="rowgroup" className="ctable__body" style={{ height: servers.length * cellRowHeight }}>
          {servers.slice(first, end).map((server, i) => (
            <ServerRow key={server.host} server={server} index={first + i} onShowApps={showApps} />
          ))}
        </div>
      </div>
      {servers.length === 0 && <p className="ctable__empty">No server read from this cell.</p>}
    </div>
  );
}
