import type { AppRunSummary } from '../../../shared/contract/index.js';
import { formatTime } from '../lib/format.js';
import { useApps } from './apps-store.js';
import { RunOutcomeBadge } from './AppStatusBadge.js';
import { runCountsText, runOutcome } from './run-view.js';

/** "partly failed · 5 passed · 2 failed": how the run went, then its nodes by how they went. */
export function RunResult({ run }: { run: AppRunSummary }) {
  const counts = runCountsText(run);
  return (
    <span className="chips">
      <RunOutcomeBadge outcome={runOutcome(run)} />
      <span className={counts ? 'nowrap' : 'muted'} data-testid="run-counts">{counts || 'no nodes yet'}</span>
    </span>
  );
}

export function RunList() {
  const runs = useApps((s) => s.runs);
  const selectedId = useApps((s) => s.selected?.id ?? null);
  const select = useApps((s) => s.select);

  return (
    <section className="panel history app-runs" aria-labelledby="app-runs-title">
      <header className="panel__header">
        <h2 id="app-runs-title" className="panel__title">Runs</h2>
        <span className="panel__meta">{runs.length} run{runs.length === 1 ? '' : 's'}</span>
      </header>
      {runs.length === 0 ? (
        <p className="panel__empty">No runs yet: a deploy appears here as soon as it starts.</p>
      ) : (
        <div className="history__scroll">
          <table className="table table--compact" aria-label="Application runs">
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">Started</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id} data-run={run.id} data-active={run.active} aria-current={run.id === selectedId ? true : undefined} className={run.id === selectedId ? 'is-selected' : undefined}>
                  <th scope="row">
                    <button type="button" className="linklike" onClick={() => void select(run.id)} title={run.id}>
                      {run.app}
                    </button>
                  </th>
                  <td className="muted nowrap">{formatTime(run.startedAt)}</td>
                  <td>
                    <RunResult run={run} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
