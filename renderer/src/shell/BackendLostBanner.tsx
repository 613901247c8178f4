import { backend } from '../connection/backend.js';
import { useConnection } from '../connection/connection-store.js';
import { formatTime } from '../lib/format.js';

/** Whether the console has lost a backend it had: every action would fail, so the views are greyed out and inert. */
export const selectLost = (s: { state: string; lostAt: number | null }) => s.lostAt !== null && (s.state === 'reconnecting' || s.state === 'refused');

/** Over the greyed-out views while the backend is gone: since when, what the console is doing about it, and a retry. */
export function BackendLostBanner() {
  const lost = useConnection(selectLost);
  const state = useConnection((s) => s.state);
  const lostAt = useConnection((s) => s.lostAt);
  const detail = useConnection((s) => s.detail);
  if (!lost || lostAt === null) return null;
  return (
    <div className="lost-banner" role="alert" data-testid="backend-lost">
      <strong>
        Backend lost at {formatTime(lostAt)} — {state === 'refused' ? 'it refuses this page' : 'reconnecting…'}
      </strong>
      {detail && <span className="lost-banner__detail">{detail}</span>}
      <span className="lost-banner__detail">Nothing can be started or changed until it is back; what you typed stays.</span>
      <button type="button" className="button button--small" onClick={() => backend().reconnect()}>
        Retry now
      </button>
    </div>
  );
}
