import { AppStatus, type AppRunSummary } from '../../../shared/contract/index.js';
import { formatTime } from '../lib/format.js';
import { useApps } from './apps-store.js';
import { statusTone } from './run-view.js';

/** "5 FINISHED", "2 FAILED": only the statuses some node is in. */
export function StatusCounts({ counts }: { counts: AppRunSummary['counts'] }) {
  const shown = AppStatus.options.filter((status) => counts[status] > 0);
  if (shown.length === 0) return <span className="muted">no nodes yet</span>;
  return (
    <span className="chips">
      {shown.map((status) => (
        <span key={status} className={`badge badge--${statusTone[status]}`} data-count={status}>
          {counts[status]} {status}
        </span>
      ))}
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
                <th scope="col">Nodes</th>
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
                  <td className="muted nowrap">
                    {formatTime(run.startedAt)}
                    {run.active && <span className="badge badge--run app-runs__live">live</span>}
                  </td>
                  <td>
                    <StatusCounts counts={run.counts} />
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
