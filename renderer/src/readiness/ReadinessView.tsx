import { useMemo } from 'react';
import type { PrivilegeCheck } from '../../../shared/contract/index.js';
import { formatTime } from '../lib/format.js';
import { summarize, useReadiness } from './readiness-store.js';
import { ToolTable } from './ToolTable.js';
import { useBuilds } from '../builds/builds-store.js';
import { useRoute } from '../shell/route-store.js';

function PrivilegeCard({ privileges }: { privileges: PrivilegeCheck }) {
  return (
    <div className={`card ${privileges.canBuild ? 'card--ok' : 'card--bad'}`} aria-label="Privileges">
      <div className="card__title">Privileges for builds</div>
      <div className="card__value">{privileges.canBuild ? `yes — ${privileges.elevation}` : 'no'}</div>
      <div className="card__detail">
        {privileges.user} (uid {privileges.uid}): {privileges.detail}
      </div>
    </div>
  );
}

/** Where a new operator goes from here: their first build (the example spec waits in the editor), or what to fix first. */
function NextStep({ ready }: { ready: boolean }) {
  const go = useRoute((s) => s.go);
  const built = useBuilds((s) => s.history.some((b) => b.status === 'succeeded'));
  return (
    <aside className="next-step" aria-label="Next step">
      {ready ? (
        <>
          <p>{built ? 'This host builds images. The Builds view has the history and the spec editor.' : 'This host is ready. The Builds view opens with an example spec: a Debian 12 image for lab nodes, valid as it stands.'}</p>
          <button type="button" className="button button--primary" onClick={() => go('builds')}>
            {built ? 'Go to Builds' : 'Build your first image'}
          </button>
        </>
      ) : (
        <p>Install what is missing (above) and press Check again: builds need every required tool and a way to run as root.</p>
      )}
    </aside>
  );
}

export function ReadinessView() {
  const report = useReadiness((s) => s.report);
  const probe = useReadiness((s) => s.probe);
  const error = useReadiness((s) => s.error);
  const check = useReadiness((s) => s.check);
  const tools = probe ? probe.tools : (report?.tools ?? []);
  const summary = useMemo(() => summarize(tools), [tools]);

  return (
    <section className="view" aria-labelledby="view-title">
      <header className="view__header">
        <div>
          <h1 id="view-title">Host readiness</h1>
          <p className="view__subtitle">
            {report
              ? `${report.hostname} · checked ${formatTime(report.checkedAt)}`
              : 'The tools Slipway runs on this host, and the privileges builds need.'}
          </p>
        </div>
        <button type="button" className="button" onClick={() => void check()} disabled={probe !== null}>
          {probe ? 'Checking…' : 'Check again'}
        </button>
      </header>

      {error && (
        <div className="alert" role="alert">
          <strong>The readiness check failed.</strong> {error}
          <button type="button" className="button button--small" onClick={() => void check()}>
            Retry
          </button>
        </div>
      )}

      {probe && (
        <div className="progress" role="progressbar" aria-label="Checking host tools" aria-valuemin={0} aria-valuemax={probe.total} aria-valuenow={probe.tools.length}>
          <div className="progress__bar" style={{ width: `${probe.total ? (100 * probe.tools.length) / probe.total : 0}%` }} />
          <span className="progress__label">
            Checking host tools… {probe.tools.length}/{probe.total}
          </span>
        </div>
      )}

      {report && !probe && (
        <div className="cards">
          <div className={`card ${report.ready ? 'card--ok' : 'card--bad'}`} aria-label="Overall readiness">
            <div className="card__title">Ready</div>
            <div className="card__value">{report.ready ? 'yes' : 'no'}</div>
            <div className="card__detail">
              {summary.found} of {tools.length} tools found
              {summary.missingRequired > 0 && `, ${summary.missingRequired} required missing`}
              {summary.missingOptional > 0 && `, ${summary.missingOptional} optional missing`}
            </div>
          </div>
          <PrivilegeCard privileges={report.privileges} />
          {report.installHint && (
            <div className="card card--warn" aria-label="Install hint">
              <div className="card__title">To install what is missing</div>
              <code className="card__code">{report.installHint}</code>
            </div>
          )}
        </div>
      )}

      {tools.length > 0 ? <ToolTable tools={tools} /> : !error && <div className="empty">Waiting for the first check…</div>}
      {report && !probe && <NextStep ready={report.ready && report.privileges.canBuild} />}
    </section>
  );
}
