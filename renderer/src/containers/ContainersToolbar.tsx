import { formatCount } from '../lib/format.js';
import { containerStates } from './container-rows.js';
import { stateTone } from './container-format.js';
import { selectAllRows, selectFilteredRows, selectScans, selectShownRows, selectStateCounts, useContainers } from './containers-store.js';

/** Node, app and state filters, and how many containers of each state the node and app filters keep. */
export function ContainersToolbar() {
  const scans = useContainers(selectScans);
  const filter = useContainers((s) => s.filter);
  const counts = useContainers(selectStateCounts);
  const matching = useContainers((s) => selectFilteredRows(s).length);
  const shown = useContainers((s) => selectShownRows(s).length);
  const total = useContainers((s) => selectAllRows(s).length);
  const showNode = useContainers((s) => s.showNode);
  const setApp = useContainers((s) => s.setApp);
  const showState = useContainers((s) => s.showState);

  return (
    <div className="containers__filters">
      <div className="toolbar" role="toolbar" aria-label="Container filters">
        <label className="containers__field">
          <span className="field__label">Node</span>
          <select className="input" value={filter.node ?? ''} onChange={(event) => showNode(event.target.value === '' ? null : event.target.value)}>
            <option value="">All nodes</option>
            {scans.map((scan) => (
              <option key={scan.node} value={scan.node}>
                {scan.node}
              </option>
            ))}
          </select>
        </label>
        <label className="containers__field">
          <span className="field__label">App</span>
          <input
            type="search"
            className="input toolbar__filter"
            placeholder="App or instance: proid.web, #0000000042…"
            value={filter.app}
            spellCheck={false}
            onChange={(event) => setApp(event.target.value)}
          />
        </label>
        <span className="toolbar__grow" />
        <span className="toolbar__meta" data-testid="containers-count" aria-live="polite">
          {shown === total ? `${formatCount(total)} containers` : `${formatCount(shown)} of ${formatCount(total)} containers`}
        </span>
      </div>
      <div className="cstates" role="group" aria-label="Filter by state">
        <button type="button" className="cstates__chip" aria-pressed={filter.state === null} data-state="all" onClick={() => showState(null)}>
          all <span className="cstates__n">{formatCount(matching)}</span>
        </button>
        {containerStates.map((state) => (
          <button
            key={state}
            type="button"
            className={`cstates__chip cstates__chip--${stateTone({ state, summary: '' })}`}
            aria-pressed={filter.state === state}
            data-state={state}
            onClick={() => showState(filter.state === state ? null : state)}
          >
            {state} <span className="cstates__n">{formatCount(counts[state])}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
