import { useEffect } from 'react';
import type { BuildSummary } from '../../../shared/contract/index.js';
import { JobStatusBadge } from '../jobs/JobStatusBadge.js';
import { JobProgress } from '../jobs/JobProgress.js';
import { LogViewer } from '../jobs/LogViewer.js';
import { StepList } from '../jobs/StepList.js';
import { formatDuration } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { selectLatestBootOf, selectSelectedBoot, useBoots } from './boot-store.js';

/**
 * A build's boot test (Slipway's `mkosi qemu`): the button, and the newest
 * test of this build with its steps and its serial console streaming in.
 */
export function BootTestPanel({ build }: { build: BuildSummary }) {
  const latest = useBoots(selectLatestBootOf(build.id));
  const boot = useBoots(selectSelectedBoot);
  const selected = useBoots((s) => s.selected);
  const log = useBoots((s) => s.log);
  const revision = useBoots((s) => s.logRevision);
  const logTotal = useBoots((s) => s.logTotal);
  const logLoading = useBoots((s) => s.logLoading);
  const starting = useBoots((s) => s.starting);
  const error = useBoots((s) => s.error);
  const start = useBoots((s) => s.start);
  const select = useBoots((s) => s.select);
  const cancel = useBoots((s) => s.cancel);
  const running = latest?.status === 'running';
  const now = useNow(running, 1000);

  // The build's newest test is the one shown: selected when the build is opened, or when a new one starts.
  useEffect(() => {
    if (latest && selected?.id !== latest.id) void select(latest.id);
  }, [latest, selected?.id, select]);

  const shown = boot && boot.buildId === build.id ? boot : null;
  return (
    <section className="boot-test" aria-labelledby="boot-test-title" data-boot={shown?.id} data-status={shown?.status}>
      <header className="boot-test__header">
        <h3 id="boot-test-title">Boot test</h3>
        {shown && <JobStatusBadge status={shown.status} />}
        {shown && (
          <span className="muted" data-testid="boot-outcome">
            {shown.status === 'succeeded'
              ? `booted: reached "${shown.marker}" in ${formatDuration(shown.bootMs ?? 0)} (${shown.accel.toUpperCase()})`
              : shown.status === 'running'
                ? `${shown.stage ?? 'starting'} · ${formatDuration(now - Date.parse(shown.startedAt))}`
                : shown.error}
          </span>
        )}
        {running ? (
          <button type="button" className="button button--danger" onClick={() => void cancel(latest.id)}>
            Stop boot test
          </button>
        ) : (
          <button type="button" className="button" disabled={starting !== null} onClick={() => void start(build.id)}>
            {starting === build.id ? 'Starting…' : shown ? 'Boot test again' : 'Boot test'}
          </button>
        )}
      </header>
      {shown && running && selected?.steps && <JobProgress steps={selected.steps} startedAt={shown.startedAt} expected={selected.expectedStepMs} label="Boot test" compact />}
      {error && <p className="error" role="alert">{error}</p>}
      {!shown && !error && <p className="muted">Boots this image in QEMU with its own kernel and streams its serial console here, until its login prompt.</p>}
      {shown && selected && (
        <div className="build__body">
          {selected.steps ? <StepList steps={selected.steps} label="Boot test steps" /> : <div className="steps muted">Loading steps…</div>}
          <LogViewer key={shown.id} log={log} revision={revision} total={logTotal} loading={logLoading} label="Serial console" title="Serial console (ttyS0)" />
        </div>
      )}
    </section>
  );
}
