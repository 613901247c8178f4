import { useBuilds } from './builds-store.js';
import { JobStatusBadge } from '../jobs/JobStatusBadge.js';
import { CacheHitBadge } from './CacheHitBadge.js';
import { formatDuration, formatTime } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { EmptyState } from '../shell/EmptyState.js';

// The spec editor beside the history is where a build is made.
const focusSpec = () => document.querySelector<HTMLTextAreaElement>('.view--builds .spec__text')?.focus();

export function BuildHistory() {
  const history = useBuilds((s) => s.history);
  const selectedId = useBuilds((s) => s.selected?.id ?? null);
  const select = useBuilds((s) => s.select);
  const now = useNow(history.some((b) => b.status === 'running'), 1000);

  return (
    <section className="panel history" aria-labelledby="history-title">
      <header className="panel__header">
        <h2 id="history-title" className="panel__title">History</h2>
        <span className="panel__meta">{history.length} builds</span>
      </header>
      {history.length === 0 ? (
        <EmptyState size="panel" title="No builds yet" testId="builds-empty" actions={[{ label: 'Write an image spec', onClick: focusSpec }]}>
          Write or load an image spec and start a build: it appears here as soon as it starts.
        </EmptyState>
      ) : (
        <div className="history__scroll">
          <table className="table table--compact" aria-label="Build history">
            <thead>
              <tr>
                <th scope="col">Image</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {history.map((build) => (
                <tr key={build.id} data-build={build.id} aria-current={build.id === selectedId ? true : undefined} className={build.id === selectedId ? 'is-selected' : undefined}>
                  <th scope="row">
                    <button type="button" className="linklike" onClick={() => void select(build.id)} title={build.id}>
                      {build.name}
                    </button>
                  </th>
                  <td>
                    <span className="history__badges">
                      <JobStatusBadge status={build.status} />
                      {build.cacheHit && <CacheHitBadge />}
                      {build.queuePosition !== undefined && <span className="badge badge--info">queued #{build.queuePosition}</span>}
                      {build.host !== undefined && <span className="muted mono" title="built on this build host">{build.host}</span>}
                    </span>
                  </td>
                  <td className="muted nowrap">{formatTime(build.startedAt)}</td>
                  <td className="mono nowrap">{formatDuration(build.durationMs ?? now - Date.parse(build.startedAt))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
