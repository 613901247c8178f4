import { formatCount } from '../lib/format.js';
import { selectAppCount, selectPartitions, selectHosts, selectProids, selectShownApps, useCells } from './cells-store.js';

function Choice({ label, value, options, all, onChange }: { label: string; value: string | null; options: readonly string[]; all: string; onChange(value: string | null): void }) {
  return (
    <label className="containers__field">
      <span className="field__label">{label}</span>
      <select className="input" value={value ?? ''} onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}>
        <option value="">{all}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Proid, partition, server and name filters over the cell's apps, and how many they keep. */
export function CellAppFilters() {
  const filter = useCells((s) => s.filter);
  const setFilter = useCells((s) => s.setFilter);
  const proids = useCells(selectProids);
  const partitions = useCells(selectPartitions);
  const hosts = useCells(selectHosts);
  const shown = useCells((s) => selectShownApps(s).length);
  const total = useCells(selectAppCount);
  return (
    <div className="toolbar cells__filters" role="toolbar" aria-label="App filters">
      <Choice label="Proid" value={filter.proid} options={proids} all="All proids" onChange={(proid) => setFilter({ proid })} />
      <Choice label="Partition" value={filter.partition} options={partitions} all="All partitions" onChange={(partition) => setFilter({ partition })} />
      <Choice label="Server" value={filter.server} options={hosts} all="All servers" onChange={(server) => setFilter({ server })} />
      <label className="containers__field">
        <span className="field__label">Instance</span>
        <input type="search" className="input toolbar__filter" placeholder="web.api, #0000000042…" value={filter.text} spellCheck={false} onChange={(event) => setFilter({ text: event.target.value })} />
      </label>
      <span className="toolbar__grow" />
      <span className="toolbar__meta" data-testid="cell-apps-count" aria-live="polite">
        {shown === total ? `${formatCount(total)} apps` : `${formatCount(shown)} of ${formatCount(total)} apps`}
      </span>
    </div>
  );
}
