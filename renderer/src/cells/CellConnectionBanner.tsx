import { formatTime } from '../lib/format.js';
import { useCells } from './cells-store.js';

/**
 * How the cell is read now. Rows kept through a lost session say since when
 * they are old; a cell never read says why, and that Slipway keeps trying.
 */
export function CellConnectionBanner() {
  const connection = useCells((s) => s.connection);
  const seq = useCells((s) => s.seq);
  if (connection === null) return seq === 0 ? <p className="cells__status muted" role="status">Reading the cell…</p> : null;
  if (connection.state === 'connected' && !connection.stale) return null;
  if (connection.lastGoodRead === null) {
    return (
      <div className="callout callout--bad" role="alert" data-callout="unreachable" data-state={connection.state}>
        <p>
          {connection.state === 'connecting' ? 'Connecting to the cell’s ZooKeeper…' : `The cell’s ZooKeeper is ${connection.state}.`}
        </p>
        {connection.error && <p className="mono">{connection.error}</p>}
        <p className="muted">Slipway keeps trying, waiting longer between tries; nothing shown here is from this cell yet.</p>
      </div>
    );
  }
  return (
    <div className="callout" role="status" data-callout="stale" data-state={connection.state}>
      <p>
        Stale: these rows are as read at {formatTime(connection.lastGoodRead)}
        {connection.state === 'connected' ? '; the cell is being read again.' : `; the session is ${connection.state} since ${formatTime(connection.since)}.`}
      </p>
      {connection.error && <p className="mono">{connection.error}</p>}
    </div>
  );
}
