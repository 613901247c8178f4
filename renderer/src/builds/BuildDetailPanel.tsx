import { useState } from 'react';
import { ArtifactTable } from './ArtifactTable.js';
import { BootTestPanel } from '../boot/BootTestPanel.js';
import { selectSelectedSummary, useBuilds } from './builds-store.js';
import { JobStatusBadge } from '../jobs/JobStatusBadge.js';
import { CacheHitBadge } from './CacheHitBadge.js';
import { CancelDialog } from './CancelDialog.js';
import { CompareBuilds } from './CompareBuilds.js';
import { FailureSummary } from './FailureSummary.js';
import { formatDuration, formatTime } from '../lib/format.js';
import { StepList } from '../jobs/StepList.js';
import { JobProgress } from '../jobs/JobProgress.js';
import { useNow } from '../lib/use-now.js';
import { BuildLog } from './BuildLog.js';
import { FetchArtifacts } from './FetchArtifacts.js';

/** The selected build: what stopped it or what it made first, then its steps beside its log. */
export function BuildDetailPanel() {
  const selected = useBuilds((s) => s.selected);
  const build = useBuilds(selectSelectedSummary);
  // The log's revision and totals are BuildLog's alone: a flood renders the log, not this whole panel.
  const cancel = useBuilds((s) => s.cancel);
  const rebuild = useBuilds((s) => s.rebuild);
  const starting = useBuilds((s) => s.starting);
  const [confirming, setConfirming] = useState(false);
  const running = build?.status === 'running';
  const now = useNow(running, 1000);

  if (!selected) {
    return <div className="empty">Start a build, or pick one from the history, to follow its steps and log here.</div>;
  }
  if (!build) return <div className="panel panel--loading">Loading build {selected.id}…</div>;

  return (
    <section className="panel build" aria-labelledby="build-title" data-build={build.id} data-status={build.status}>
      <header className="build__header">
        <div className="build__heading">
          <h2 id="build-title" className="build__name">{build.name}</h2>
          <JobStatusBadge status={build.status} />
          {build.cacheHit && <CacheHitBadge />}
          {build.queuePosition !== undefined && <span className="badge badge--info" data-testid="build-queue">queued #{build.queuePosition}</span>}
        </div>
        <dl className="facts">
          <div><dt>Build</dt><dd className="mono">{build.id}</dd></div>
          <div><dt>Host</dt><dd className="mono" data-testid="build-host">{build.host ?? 'this machine'}</dd></div>
          <div><dt>Started</dt><dd>{formatTime(build.startedAt)}</dd></div>
          <div><dt>Duration</dt><dd className="mono" data-testid="build-duration">{formatDuration(build.durationMs ?? now - Date.parse(build.startedAt))}</dd></div>
          <div><dt>Spec</dt><dd className="mono" title={build.specHash}>{build.specHash.slice(0, 12)}</dd></div>
        </dl>
        {running && (
          <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
            Cancel
          </button>
        )}
        {!running && selected.specText !== null && (
          <button type="button" className="button" disabled={starting} onClick={() => void rebuild(selected.specText!)}>
            {starting ? 'Building…' : 'Build again'}
          </button>
        )}
      </header>
      {running && selected.steps && <JobProgress steps={selected.steps} startedAt={build.startedAt} expected={selected.expectedStepMs} label={`Build ${build.name}`} />}
      {confirming && running && <CancelDialog name={build.name} onConfirm={() => void cancel(build.id)} onClose={() => setConfirming(false)} />}
      {(build.status === 'failed' || build.status === 'cancelled') && <FailureSummary build={build} />}
      {build.status === 'succeeded' && build.artifacts.length > 0 && <ArtifactTable artifacts={build.artifacts} metadataPath={build.metadataPath} />}
      {build.status === 'succeeded' && build.artifacts.length > 0 && build.host !== undefined && <FetchArtifacts build={build} />}
      {build.status === 'succeeded' && build.artifacts.length > 0 && <BootTestPanel build={build} />}
      {build.status === 'succeeded' && <CompareBuilds build={build} />}
      <div className="build__body">
        {selected.steps ? <StepList steps={selected.steps} /> : <div className="steps muted">Loading steps…</div>}
        <BuildLog key={build.id} id={build.id} name={build.name} />
      </div>
    </section>
  );
}
