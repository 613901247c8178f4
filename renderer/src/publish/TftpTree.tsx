import { useMemo, useState } from 'react';
import { treeWhereText } from '../../../shared/contract/index.js';
import { ConfirmDialog } from '../shell/ConfirmDialog.js';
import { useNetboot } from './netboot-store.js';
import { useBuilds } from '../builds/builds-store.js';
import { formatBytes, formatTime } from '../lib/format.js';
import { entryKey, treeRows, usePublish } from './publish-store.js';
import { useBuildHostNames } from '../nodes/use-build-host-names.js';

/** What each purpose of the TFTP tree serves now; live, as publishes from any console land. */
export function TftpTree() {
  const entries = usePublish((s) => s.entries);
  const root = usePublish((s) => s.root);
  const host = usePublish((s) => s.host);
  const load = usePublish((s) => s.load);
  const hosts = useBuildHostNames();
  const graceMinutes = usePublish((s) => s.graceMinutes);
  const loaded = usePublish((s) => s.loaded);
  const lastKey = usePublish((s) => s.last?.key ?? null);
  const history = useBuilds((s) => s.history);
  const rows = useMemo(() => treeRows(entries), [entries]);
  const buildNames = useMemo(() => new Map(history.map((b) => [b.id, b.name])), [history]);
  const rollback = useNetboot((s) => s.rollback);
  const [rollingBack, setRollingBack] = useState<{ key: string; from: string; to: string } | null>(null);

  return (
    <section className="panel tftp" aria-labelledby="tftp-title">
      <header className="panel__header">
        <h2 id="tftp-title" className="panel__title">TFTP tree</h2>
        <span className="panel__meta">
          {/* Each build host keeps its own tree: its images are published there, by its helper. */}
          {(hosts.length > 0 || host !== null) && (
            <select className="input tftp__host" aria-label="TFTP tree on" value={host ?? ''} onChange={(event) => void load(event.target.value === '' ? null : event.target.value)}>
              <option value="">this machine</option>
              {hosts.map((name) => (
                <option key={name} value={name}>
                  on build host {name}
                </option>
              ))}
              {host !== null && !hosts.includes(host) && <option value={host}>on {host} (not a build host now)</option>}
            </select>
          )}{' '}
          {root ? <span className="mono" data-testid="tftp-root">{treeWhereText({ host: host ?? undefined, root })}</span> : null}
          {graceMinutes !== null && ` · superseded versions kept ${graceMinutes} min`}
        </span>
      </header>
      {!loaded ? (
        <p className="panel__empty">Loading the TFTP tree…</p>
      ) : rows.length === 0 ? (
        <p className="panel__empty">Nothing is published yet: the first publish appears here.</p>
      ) : (
        <div className="tftp__scroll">
          <table className="table table--compact tftp__table" aria-label="TFTP tree">
            <thead>
              <tr>
                <th scope="col">Arch</th>
                <th scope="col">Subarch</th>
                <th scope="col">Release</th>
                <th scope="col">Purpose</th>
                <th scope="col">Current version</th>
                <th scope="col" className="num">Size</th>
                <th scope="col">Published</th>
                <th scope="col">Source</th>
                <th scope="col" className="num">Retained</th>
                <th scope="col"><span className="visually-hidden">Roll back</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => {
                const key = entryKey(entry);
                const build = entry.source === null ? undefined : buildNames.get(entry.source);
                return (
                  <tr key={key} data-entry={key} className={key === lastKey ? 'is-selected' : undefined}>
                    <td className="mono">{entry.arch}</td>
                    <td className="mono">{entry.subarch}</td>
                    <td className="mono">{entry.release}</td>
                    <th scope="row" className="mono">{entry.purpose}</th>
                    <td className="mono" data-col="version" title={entry.bootEntry}>{entry.version}</td>
                    <td className="num mono nowrap">{formatBytes(entry.bytes)}</td>
                    <td className="muted nowrap">{entry.publishedAt ? formatTime(entry.publishedAt) : '—'}</td>
                    <td data-col="source">
                      {build ? <span title={entry.source ?? undefined}>build {build}</span> : <span className="mono">{entry.source ?? '—'}</span>}
                      {/* From files the kernel's name ends the source path already. */}
                      {entry.kernelName && !entry.source?.endsWith(`/${entry.kernelName}`) && <span className="tftp__kernel mono">{entry.kernelName}</span>}
                    </td>
                    <td className="num mono" data-col="retained">{entry.retained}</td>
                    <td>
                      {entry.kept[0] && (
                        <button type="button" className="button button--small" onClick={() => setRollingBack({ key, from: entry.version, to: entry.kept[0]! })} title={`Back to ${entry.kept[0]}`}>
                          Roll back
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {rollingBack && (
        <ConfirmDialog
          id="rollback"
          title={`Roll ${rollingBack.key}${host === null ? '' : ` on ${host}`} back to ${rollingBack.to}?`}
          detail={`One rename points the purpose and its nodes' configs at ${rollingBack.to} again; ${rollingBack.from} is kept for the grace period. Nodes booting now finish the version they started.`}
          keepLabel={`Keep ${rollingBack.from}`}
          confirmLabel="Roll back"
          onConfirm={() => void rollback(rollingBack.key, rollingBack.to, host)}
          onClose={() => setRollingBack(null)}
        />
      )}
    </section>
  );
}
