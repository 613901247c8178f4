import { useState } from 'react';
import type { BlacklistEntry } from '../../../shared/contract/index.js';
import { formatTime } from '../lib/format.js';
import { ConfirmDialog } from '../shell/ConfirmDialog.js';
import { useApps } from './apps-store.js';

/** Asks before taking a node off; keeping it listed is the default. */
function UnblacklistDialog({ entry, onClose }: { entry: BlacklistEntry; onClose(): void }) {
  const unblacklist = useApps((s) => s.unblacklist);
  return (
    <ConfirmDialog
      id="unblacklist"
      title={
        <>
          Take <span className="mono">{entry.node}</span> off the blacklist?
        </>
      }
      reason={entry.reason}
      detail="Later deploys try it again; if it is still broken it goes back on the list."
      keepLabel="Keep it listed"
      confirmLabel="Take it off"
      onConfirm={() => void unblacklist(entry.node)}
      onClose={onClose}
    />
  );
}

/** Nodes whose own errors said they are broken: every deploy skips them until the operator takes them off. */
export function BlacklistPanel() {
  const blacklist = useApps((s) => s.blacklist);
  const [confirming, setConfirming] = useState<BlacklistEntry | null>(null);
  return (
    <section className="panel app-blacklist" aria-labelledby="blacklist-title">
      <header className="panel__header">
        <h2 id="blacklist-title" className="panel__title">Blacklist</h2>
        <span className="panel__meta">{blacklist.length} node{blacklist.length === 1 ? '' : 's'}</span>
      </header>
      {blacklist.length === 0 ? (
        <p className="panel__empty">No node is on the blacklist. A node whose errors say it is broken (package keys, repository metadata, a full or read-only disk) goes on it, and later deploys skip it.</p>
      ) : (
        <ul className="app-blacklist__list" aria-label="Blacklist">
          {blacklist.map((entry) => (
            <li key={entry.node} className="app-blacklist__item" data-node={entry.node}>
              <div className="app-blacklist__head">
                <strong className="mono">{entry.node}</strong>
                <span className="muted">
                  since {formatTime(entry.at)}
                  {entry.run && <> · run <span className="mono">{entry.run}</span></>}
                </span>
                <span className="toolbar__grow" />
                <button type="button" className="button button--small" onClick={() => setConfirming(entry)}>
                  Take <span className="visually-hidden">{entry.node} </span>off the blacklist
                </button>
              </div>
              <p className="app-blacklist__reason mono" title={`matched ${entry.pattern}`} data-col="reason">{entry.reason}</p>
            </li>
          ))}
        </ul>
      )}
      {confirming && <UnblacklistDialog entry={confirming} onClose={() => setConfirming(null)} />}
    </section>
  );
}
