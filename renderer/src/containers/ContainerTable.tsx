import { useEffect } from 'react';
import { GridSortHeader } from '../shell/GridSortHeader.js';
import type { ContainerRow } from '../../../shared/contract/index.js';
import { formatTime } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { visibleRange } from '../lib/virtual-window.js';
import { exitWords, formatAge } from './container-format.js';
import type { SortKey } from './container-rows.js';
import { ContainerStateBadge, CleanupMarker, NodeMarkers } from './ContainerStateBadge.js';
import { containerId } from './container-actions-store.js';
import { isRow, keyOf, selectShownRows, useContainers } from './containers-store.js';
import { useScrollViewport } from './use-scroll-viewport.js';

export const containerRowHeight = 30;
const headerHeight = 32;
const overscan = 8;

const plain = (label: string) => (
  <div role="columnheader" className="ctable__th">
    {label}
  </div>
);

interface RowProps {
  row: ContainerRow;
  index: number;
  now: number;
  selected: boolean;
  onSelect(row: ContainerRow): void;
}

function ContainerRowView({ row, index, now, selected, onSelect }: RowProps) {
  const words = exitWords(row);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-current={selected ? true : undefined}
      className={`ctable__row${selected ? ' is-selected' : ''}`}
      style={{ top: index * containerRowHeight, height: containerRowHeight }}
      data-node={row.node}
      data-instance={row.instance}
      data-unique={row.unique ?? undefined}
      data-state={row.state}
      onClick={() => onSelect(row)}
    >
      <div role="cell" className="ctable__td mono" data-col="node">{row.node}</div>
      <div role="rowheader" className="ctable__td mono" data-col="instance">
        <button type="button" className="linklike mono" title={row.unique ?? 'placed: no container yet'} onClick={(event) => { event.stopPropagation(); onSelect(row); }}>
          {row.instance}
        </button>
      </div>
      <div role="cell" className="ctable__td mono" data-col="app">{row.app}</div>
      <div role="cell" className="ctable__td ctable__state" data-col="state">
        <ContainerStateBadge row={row} />
        <CleanupMarker row={row} />
        <NodeMarkers row={row} />
      </div>
      <div role="cell" className="ctable__td" data-col="summary" title={[words, ...row.problems].filter(Boolean).join('\n') || undefined}>
        {row.problems.length > 0 && (
          <span className="ctable__problem" data-col="problems">
            ⚠<span className="visually-hidden"> {row.problems.length} problem{row.problems.length === 1 ? '' : 's'}: </span>
          </span>
        )}
        {words}
      </div>
      <div role="cell" className="ctable__td mono num" data-col="memory">{row.memory ?? '—'}</div>
      <div role="cell" className="ctable__td mono num" data-col="cpu">{row.cpu ?? '—'}</div>
      <div role="cell" className="ctable__td mono num" data-col="disk">{row.disk ?? '—'}</div>
      <div role="cell" className="ctable__td mono" data-col="services" title={row.services.join(', ')}>{row.services.join(', ') || '—'}</div>
      <div role="cell" className="ctable__td mono num" data-col="age" title={formatTime(row.changedAt)}>{formatAge(row.changedAt, now)}</div>
    </div>
  );
}

/**
 * Every container across the nodes, one row each; virtualized, so 10,000
 * rows cost what the few dozen in sight cost. A `role="table"` of divs: a
 * real table cannot place rows absolutely.
 */
function SortHeader({ label, sortKey }: { label: string; sortKey: SortKey }) {
  const sort = useContainers((s) => s.sort);
  const sortBy = useContainers((s) => s.sortBy);
  return <GridSortHeader label={label} sortKey={sortKey} sort={sort} onSort={sortBy} />;
}

export function ContainerTable() {
  const rows = useContainers(selectShownRows);
  const filter = useContainers((s) => s.filter);
  const sort = useContainers((s) => s.sort);
  const loaded = useContainers((s) => s.loaded);
  const selected = useContainers((s) => s.selected);
  const select = useContainers((s) => s.select);
  const { viewport, scrollTop, height, onScroll, toTop } = useScrollViewport();
  const now = useNow(true, 1000);

  // Another filter or order is another list: start it from its top.
  useEffect(() => toTop(), [filter, sort, toTop]);

  const { first, end } = visibleRange({ scrollTop: scrollTop - headerHeight, viewportHeight: height, rowHeight: containerRowHeight, total: rows.length, overscan });
  const visible = rows.slice(first, end);
  const onSelect = (row: ContainerRow) => select(keyOf(row));

  return (
    // Focusable, so the keyboard scrolls through rows that are not in the page yet.
    <div ref={viewport} className="ctable__viewport" role="region" aria-label="Container list" tabIndex={0} onScroll={onScroll} data-testid="containers-viewport">
      <div role="table" aria-label="Containers" aria-rowcount={rows.length + 1} className="ctable">
        <div role="rowgroup" className="ctable__head">
          <div role="row" aria-rowindex={1} className="ctable__row ctable__row--head">
            <SortHeader label="Node" sortKey="node" />
            {plain('Instance')}
            {plain('App')}
            <SortHeader label="State" sortKey="state" />
            {plain('Exit')}
            {plain('Memory')}
            {plain('CPU')}
            {plain('Disk')}
            {plain('Services')}
            <SortHeader label="Age" sortKey="age" />
          </div>
        </div>
        <div role="rowgroup" className="ctable__body" style={{ height: rows.length * containerRowHeight }}>
          {visible.map((row, i) => (
            <ContainerRowView key={containerId(row)} row={row} index={first + i} now={now} selected={selected !== null && row.node === selected.node && isRow(row, selected)} onSelect={onSelect} />
          ))}
        </div>
      </div>
      {rows.length === 0 && <p className="ctable__empty">{!loaded ? 'Scanning the Treadmill nodes…' : 'No container matches the filters.'}</p>}
    </div>
  );
}
