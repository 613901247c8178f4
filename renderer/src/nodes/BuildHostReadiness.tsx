import { useEffect } from 'react';
import { formatTime } from '../lib/format.js';
import { ToolTable } from '../readiness/ToolTable.js';
import { useBuildHosts } from './build-host-store.js';

/** The label that makes a node a build host (electron/readiness/build-host-readiness.ts). */
export const buildHostLabel = 'build-host';

/**
 * Whether builds can run on this build host: the Host readiness tools probed
 * over SSH, and root or passwordless sudo. What is missing is said with its
 * Debian package; the whole tool list is one click away. Checked when the
 * detail first opens (a read-only probe), again on demand.
 */
export function BuildHostReadiness({ node }: { node: string }) {
  const report = useBuildHosts((s) => s.reports[node] ?? null);
  const checking = useBuildHosts((s) => Boolean(s.checking[node]));
  const error = useBuildHosts((s) => s.errors[node] ?? null);
  const check = useBuildHosts((s) => s.check);

  useEffect(() => {
    const { reports, errors } = useBuildHosts.getState();
    if (!reports[node] && !errors[node]) void check(node);
  }, [node, check]);

  const missing = report?.tools.filter((tool) => !tool.found && tool.required) ?? [];
  return (
    <section className="node__buildhost" aria-labelledby="buildhost-title" data-ready={report ? String(report.ready) : undefined}>
      <header className="panel__header">
        <h3 id="buildhost-title" className="panel__title">Build host readiness</h3>
        {report && <span className={`badge badge--${report.ready ? 'ok' : 'bad'}`}>{report.ready ? 'ready to build' : 'not ready'}</span>}
        <span className="node__grow" />
        {report && <span className="panel__meta">checked {formatTime(report.checkedAt)}</span>}
        <button type="button" className="button button--small" disabled={checking} onClick={() => void check(node)}>
          {checking ? 'Checking…' : report || error ? 'Check again' : 'Check'}
        </button>
      </header>
      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}
      {!report && !error && <p className="panel__empty">{checking ? 'Probing the tools over SSH…' : 'Not checked yet.'}</p>}
      {report && (
        <>
          <p className="node__buildhost-privileges">
            <span className="mono">{report.privileges.user}</span> ({report.privileges.elevation}): {report.privileges.detail}
          </p>
          {missing.length > 0 && (
            <ul className="node__buildhost-missing" aria-label="Missing tools">
              {missing.map((tool) => (
                <li key={tool.name}>
                  <code>{tool.name}</code> is missing: <code>apt-get install {tool.debianPackage}</code> on {node} ({tool.purpose})
                </li>
              ))}
            </ul>
          )}
          {report.installHint && (
            <p className="muted">
              To install everything missing: <code className="mono">{report.installHint}</code>
            </p>
          )}
          <details>
            <summary>All tools on {node}</summary>
            <ToolTable tools={report.tools} label={`Tools on ${node}`} />
          </details>
        </>
      )}
    </section>
  );
}
