import { useEffect, useState } from 'react';
import { formatCount } from '../lib/format.js';
import { DismissibleAlert } from '../shell/DismissibleAlert.js';
import { EmptyState } from '../shell/EmptyState.js';
import { useRoute } from '../shell/route-store.js';
import { AddCellForm } from './AddCellForm.js';
import { CellAppDetail } from './CellAppDetail.js';
import { CellAppFilters } from './CellAppFilters.js';
import { CellAppTable } from './CellAppTable.js';
import { CellConnectionBanner } from './CellConnectionBanner.js';
import { CellProblems } from './CellProblems.js';
import { CellServerTable } from './CellServerTable.js';
import { CellStateCounts } from './CellStateCounts.js';
import { selectProblems, selectServers, useCells, type CellTab } from './cells-store.js';
import './cells.css';

function Tabs() {
  const tab = useCells((s) => s.tab);
  const setTab = useCells((s) => s.setTab);
  const servers = useCells((s) => selectServers(s).length);
  const problems = useCells((s) => selectProblems(s).length);
  const apps = useCells((s) => s.rows.apps.size);
  const tabs: [CellTab, string][] = [
    ['apps', `Apps ${formatCount(apps)}`],
    ['servers', `Servers ${formatCount(servers)}`],
    ['problems', `Problems ${formatCount(problems)}`],
  ];
  return (
    <div className="cells__tabs" role="tablist" aria-label="Cell">
      {tabs.map(([id, label]) => (
        <button key={id} type="button" role="tab" id={`cell-tab-${id}`} aria-selected={tab === id} aria-controls="cell-tabpanel" className="cells__tab" onClick={() => setTab(id)}>
          {label}
        </button>
      ))}
    </div>
  );
}

function CellPicker({ adding, onAdd }: { adding: boolean; onAdd(): void }) {
  const cells = useCells((s) => s.cells);
  const current = useCells((s) => s.current);
  const show = useCells((s) => s.show);
  const url = cells.find((cell) => cell.name === current)?.url;
  return (
    <div className="toolbar" role="toolbar" aria-label="Cell">
      <label className="containers__field">
        <span className="field__label">Cell</span>
        <select className="input" value={current ?? ''} onChange={(event) => void show(event.target.value === '' ? null : event.target.value)}>
          {current === null && <option value="">Pick a cell</option>}
          {cells.map((cell) => (
            <option key={cell.name} value={cell.name}>
              {cell.name}
            </option>
          ))}
        </select>
      </label>
      <code className="mono muted cells__url" title={url}>{url}</code>
      <button type="button" className="button" aria-expanded={adding} onClick={onAdd}>
        Add a cell
      </button>
    </div>
  );
}

/** A Treadmill cell read live from its ZooKeeper: counts per state, apps, servers and problems; an app's trace; a way down to its node. */
export function CellsView() {
  const listed = useCells((s) => s.listed);
  const count = useCells((s) => s.cells.length);
  const current = useCells((s) => s.current);
  const tab = useCells((s) => s.tab);
  const error = useCells((s) => s.error);
  const dismissError = useCells((s) => s.dismissError);
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    void useCells.getState().list();
    // The cell is followed while it is on screen: leaving the view ends this console's subscription.
    return () => void useCells.getState().show(null);
  }, []);
  // The URL's cell, when there is one, is shown by the deep link; otherwise the first cell, once the list is in
  // (it may come with the connection's resync rather than the request above).
  const first = useCells((s) => s.cells[0]?.name ?? null);
  useEffect(() => {
    if (current === null && first !== null && useRoute.getState().item === null) void useCells.getState().show(first);
  }, [current, first]);

  return (
    <section className="view view--cells" aria-labelledby="view-title">
      <header className="view__header">
        <div>
          <h1 id="view-title">Cells</h1>
          <p className="view__subtitle">Treadmill cells read live from their ZooKeeper: servers, placements, apps and their traces. Read only.</p>
        </div>
      </header>
      {error && <DismissibleAlert message={error} onDismiss={dismissError} />}
      {listed && count === 0 && !adding ? (
        <EmptyState title="No cell" testId="cells-empty" actions={[{ label: 'Add a cell', onClick: () => setAdding(true) }]}>
          Add a Treadmill cell by its ZooKeeper URL (<code>zookeeper://host:2181/treadmill/cell</code>): its servers and apps show here, live.
        </EmptyState>
      ) : (
        <>
          <CellPicker adding={adding} onAdd={() => setAdding(!adding)} />
          {adding && <AddCellForm onDone={() => setAdding(false)} />}
          {current !== null && (
            <>
              <CellConnectionBanner />
              <CellStateCounts />
              <Tabs />
              <div id="cell-tabpanel" role="tabpanel" aria-labelledby={`cell-tab-${tab}`} className="cells__panel">
                {tab === 'apps' && (
                  <>
                    <CellAppFilters />
                    <CellAppTable />
                  </>
                )}
                {tab === 'servers' && <CellServerTable />}
                {tab === 'problems' && <CellProblems />}
              </div>
              <CellAppDetail />
            </>
          )}
        </>
      )}
    </section>
  );
}
