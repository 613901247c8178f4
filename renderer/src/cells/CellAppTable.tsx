import { useEffect } from 'react';
import { GridSortHeader } from '../shell/GridSortHeader.js';
import type { CellApp } from '../../../shared/contract/cells.js';
import { formatTime } from '../lib/format.js';
import { visibleRange } from '../lib/virtual-window.js';
import { useScrollViewport } from '../containers/use-scroll-viewport.js';
import { exitText, type CellSortKey } from './cell-rows.js';
import { CellAppBadge } from './CellStateBadge.js';
import { selectShownApps, useCells } from './cells-store.js';

export const cellRowHeight = 30;
const headerHeight = 32;
const overscan = 8;

function SortHeader({ label, sortKey }: { label: string; sortKey: CellSortKey }) {
  const sort = useCells((s) => s.sort);
  const sortBy = useCells((s) => s.sortBy);
  return <GridSortHeader label={label} sortKey={sortKey} sort={sort} onSort={sortBy} />;
}

function AppRow({ app, index, selected, onSelect }: { app: CellApp; index: number; selected: boolean; onSelect(instance: string): void }) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-current={selected ? true : undefined}
      className={`ctable__row${selected ? ' is-selected' : ''}`}
      style={{ top: index * cellRowHeight, height: cellRowHeight }}
      data-instance={app.instance}
      data-state={app.state}
      onClick={() => onSelect(app.instance)}
    >
      <div role="rowheader" className="ctable__td mono" data-col="instance">
        <button type="button" className="linklike mono" onClick={(event) => { event.stopPropagation(); onSelect(app.instance); }}>
          {app.instance}
        </button>
      </div>
      <div role="cell" className="ctable__td mono" data-col="proid">{app.proid}</div>
      <div role="cell" className="ctable__td ctable__state" data-col="state"><CellAppBadge state={app.state} /></div>
      <div role="cell" className="ctable__td mono" data-col="server">{app.server ?? '—'}</div>
      <div role="cell" className="ctable__td mono" data-col="when">{app.when === null ? '' : formatTime(app.when * 1000)}</div>
      <div role="cell" className="ctable__td mono" data-col="exit">{exitText(app)}</div>
    </div>
  );
}

/** Every app of the cell under the filters, virtualized: 50,000 rows cost what the few dozen in sight cost. */
export function CellAppTable() {
  const apps = useCells(selectShownApps);
  const filter = useCells((s) => s.filter);
  const sort = useCells((s) => s.sort);
  const read = useCells((s) => s.seq > 0);
  const selected = useCells((s) => s.selected);
  const select = useCells((s) => s.select);
  const { viewport, scrollTop, height, onScroll, toTop } = useScrollViewport();

  // Another filter or order is another list: start it from its top.
  useEffect(() => toTop(), [filter, sort, toTop]);

  const { first, end } = visibleRange({ scrollTop: scrollTop - headerHeight, viewportHeight: height, rowHeight: cellRowHeight, total: apps.length, overscan });
  return (
    <div ref={viewport} className="ctable__viewport" role="region" aria-label="App list" tabIndex={0} onScroll={onScroll} data-testid="cell-apps-viewport">
      <div role="table" aria-label="Apps" aria-rowcount={apps.length + 1} className="ctable ctable--cell-apps">
        <div role="rowgroup" className="ctable__head">
          <div role="row" aria-rowindex={1} className="ctable__row ctable__row--head">
            <SortHeader label="Instance" sortKey="instance" />
            <SortHeader label="Proid" sortKey="proid" />
            <SortHeader label="State" sortKey="state" />
            <SortHeader label="Server" sortKey="server" />
            <SortHeader label="Ended" sortKey="when" />
            <div role="columnheader" className="ctable__th">Exit</div>
          </div>
        </div>
        <div role="rowgroup" className="ctable__body" style={{ height: apps.length * cellRowHeight }}>
          {apps.slice(first, end).map((app, i) => (
            <AppRow key={app.instance} app={app} index={first + i} selected={app.instance === selected} onSelect={select} />
          ))}
        </div>
      </div>
      {apps.length === 0 && <p className="ctable__empty">{read ? 'No app matches the filters.' : 'Reading the cell…'}</p>}
    </div>
  );
}
