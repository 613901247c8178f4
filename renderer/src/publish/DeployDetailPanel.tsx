import { useState } from 'react';
import { deployWhereText, type DeployStep, type DeploySummary } from '../../../shared/contract/index.js';
import { JobStatusBadge } from '../jobs/JobStatusBadge.js';
import { JobProgress } from '../jobs/JobProgress.js';
import { backend } from '../connection/backend.js';
import { formatBytes, formatDuration, formatTime } from '../lib/format.js';
import { LogViewer } from '../jobs/LogViewer.js';
import { StepList } from '../jobs/StepList.js';
import { useNow } from '../lib/use-now.js';
import { CancelDeployDialog } from './ConfirmDialogs.js';
import { selectSelectedDeploy, useDeploy } from './deploy-store.js';
import { useImageName } from './use-image-name.js';

function DeployFailure({ deploy, steps }: { deploy: DeploySummary; steps: readonly DeployStep[] | null }) {
  const cancelled = deploy.status === 'cancelled';
  const label = steps?.find((s) => s.id === deploy.failedStep)?.label ?? deploy.failedStep ?? 'an unknown step';
  return (
    <section className={`failure${cancelled ? ' failure--cancelled' : ''}`} aria-labelledby="deploy-failure-title" data-failed-step={deploy.failedStep ?? undefined}>
      <h3 id="deploy-failure-title" className="failure__title">
        {cancelled ? 'Cancelled during' : 'Failed at'} <span className="failure__step">{label}</span>
      </h3>
      {deploy.error && <p className="failure__error mono">{deploy.error}</p>}
      <p className="muted">The overlay, the image mounts and the temp dir were released; no target was written.</p>
    </section>
  );
}

function DeployOutput({ output }: { output: NonNullable<DeploySummary['output']> }) {
  return (
    <dl className="deploy__output">
      <div><dt>Written to</dt><dd className="mono" data-testid="deploy-location">{output.location}</dd></div>
      <div><dt>Size</dt><dd className="mono">{formatBytes(output.bytes)}</dd></div>
      {output.sha256 && <div><dt>SHA-256</dt><dd><code className="hash">{output.sha256}</code></dd></div>}
    </dl>
  );
}

function EnvTable({ env }: { env: Record<string, string> }) {
  const entries = Object.entries(env);
  if (entries.length === 0) return null;
  return (
    <table className="table table--compact deploy__env" aria-label="Deploy environment">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Value (secrets masked)</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name} data-env={name}>
            <th scope="row" className="mono">{name}</th>
            <td className="mono">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The selected deploy: its outcome first, then its steps beside its log. */
export function DeployDetailPanel() {
  const selected = useDeploy((s) => s.selected);
  const deploy = useDeploy(selectSelectedDeploy);
  const log = useDeploy((s) => s.log);
  const revision = useDeploy((s) => s.logRevision);
  const logTotal = useDeploy((s) => s.logTotal);
  const logLoading = useDeploy((s) => s.logLoading);
  const cancel = useDeploy((s) => s.cancel);
  const deployAgain = useDeploy((s) => s.deployAgain);
  const imageName = useImageName();
  const [confirming, setConfirming] = useState(false);
  const running = deploy?.status === 'running';
  const now = useNow(running, 1000);

  if (!selected) return <div className="empty">Start a deploy, or pick one from the history, to follow its steps and log here.</div>;
  if (!deploy) return <div className="panel panel--loading">Loading deploy {selected.id}…</div>;
  const name = imageName(deploy.image, deploy.imagePath);

  return (
    <section className="panel build deploy" aria-labelledby="deploy-title" data-deploy={deploy.id} data-status={deploy.status}>
      <header className="build__header">
        <div className="build__heading">
          <h2 id="deploy-title" className="build__name">{name} → {deployWhereText(deploy)}</h2>
          <JobStatusBadge status={deploy.status} />
        </div>
        <dl className="facts">
          <div><dt>Deploy</dt><dd className="mono">{deploy.id}</dd></div>
          <div><dt>Started</dt><dd>{formatTime(deploy.startedAt)}</dd></div>
          <div><dt>Duration</dt><dd className="mono">{formatDuration(deploy.durationMs ?? now - Date.parse(deploy.startedAt))}</dd></div>
          <div><dt>Image</dt><dd className="mono" title={deploy.specHash ?? undefined}>{deploy.imagePath}</dd></div>
        </dl>
        {running && (
          <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
            Cancel
          </button>
        )}
        {!running && (
          <button type="button" className="button" onClick={deployAgain} title="Fills the deploy form with this deploy's image, extensions, environment and target; secret values are typed again">
            Deploy again
          </button>
        )}
      </header>
      {running && selected.steps && <JobProgress steps={selected.steps} startedAt={deploy.startedAt} expected={selected.expectedStepMs} label={`Deploy to ${deploy.target}`} />}
      {confirming && running && <CancelDeployDialog name={name} onConfirm={() => void cancel(deploy.id)} onClose={() => setConfirming(false)} />}
      {(deploy.status === 'failed' || deploy.status === 'cancelled') && <DeployFailure deploy={deploy} steps={selected.steps} />}
      {deploy.status === 'succeeded' && deploy.output && <DeployOutput output={deploy.output} />}
      {selected.env && <EnvTable env={selected.env} />}
      <div className="build__body">
        {selected.steps ? <StepList steps={selected.steps} label="Deploy steps" /> : <div className="steps muted">Loading steps…</div>}
        <LogViewer key={deploy.id} log={log} revision={revision} total={logTotal} loading={logLoading} label="Deploy log" source={{ page: (from, count) => backend().request('deploy.logs', { id: deploy.id, from, count }), fileName: `deploy-${deploy.id}.log` }} />
      </div>
    </section>
  );
}
