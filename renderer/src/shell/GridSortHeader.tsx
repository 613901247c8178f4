export interface GridSort<K extends string> {
  key: K;
  dir: 'asc' | 'desc';
}

/** A sortable column header of a virtualized grid (`.ctable`): says its order to assistive technology, an arrow to the eye. */
export function GridSortHeader<K extends string>({ label, sortKey, sort, onSort }: { label: string; sortKey: K; sort: GridSort<K>; onSort(key: K): void }) {
  const active = sort.key === sortKey;
  return (
    <div role="columnheader" className="ctable__th" aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="ctable__sort" onClick={() => onSort(sortKey)}>
        {label}
        <span className="ctable__arrow" aria-hidden="true">{active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
      </button>
    </div>
  );
}
