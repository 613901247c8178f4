import { formatCount } from '../lib/format.js';
import { appTone } from './cell-format.js';
import { cellAppStates } from './cell-rows.js';
import { selectStateCounts, useCells } from './cells-store.js';

/** How many apps are in each state, as `treadmill show` counts them, under the other filters; a chip filters by its state. */
export function CellStateCounts() {
  const counts = useCells(selectStateCounts);
  const state = useCells((s) => s.filter.state);
  const setFilter = useCells((s) => s.setFilter);
  const all = cellAppStates.reduce((sum, s) => sum + counts[s], 0);
  return (
    <div className="cstates" role="group" aria-label="Apps by state">
      <button type="button" className="cstates__chip" aria-pressed={state === null} data-state="all" onClick={() => setFilter({ state: null })}>
        all <span className="cstates__n">{formatCount(all)}</span>
      </button>
      {cellAppStates.map((s) => (
        <button key={s} type="button" className={`cstates__chip cstates__chip--${appTone(s)}`} aria-pressed={state === s} data-state={s} onClick={() => setFilter({ state: state === s ? null : s })}>
          {s} <span className="cstates__n">{formatCount(counts[s])}</span>
        </button>
      ))}
    </div>
  );
}
