import type { NodeScanView } from './container-row-index.js';
import { formatCount, formatTime } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { formatAgo } from '../nodes/node-format.js';
import { formatScanTime } from './container-format.js';
import { selectScans, useContainers } from './containers-store.js';

function NodeScan({ scan, now, shown, onShow }: { scan: NodeScanView; now: number; shown: boolean; onShow(): void }) {
  const { node, root, error, problems } = scan;
  return (
    <li className={`cnode${error ? ' cnode--bad' : problems.length > 0 ? ' cnode--warn' : ''}`} data-node={node} data-scan={error ? 'error' : 'ok'}>
      <div className="cnode__head">
        <button type="button" className="linklike mono" aria-pressed={shown} title={shown ? 'Show every node' : `Show only the containers of ${node}`} onClick={onShow}>
          {node}
        </button>
        {error ? <span className="badge badge--bad">unreachable</span> : <span className="cnode__count" data-col="count">{formatCount(scan.count)} containers</span>}
      </div>
      <p className="cnode__meta">
        <span className="mono">{root}</span>
        <span data-col="scan-time">scanned in {formatScanTime(scan.ms)}</span>
        <span title={formatTime(scan.scannedAt)}>{formatAgo(scan.scannedAt, now)}</span>
        {scan.read && (
          // How the node was read: its watcher's events (inotifywait), or a shell rescan and why it is not watched.
          <span data-col="read" title={scan.read.reason}>
            {scan.read.via === 'watch' ? 'watched (inotify)' : `${scan.read.via} rescan${scan.read.reason ? `: ${scan.read.reason}` : ''}`}
          </span>
        )}
      </p>
      {error && (
        <p className="cnode__error mono" data-col="error">
          {error}
        </p>
      )}
      {problems.length > 0 && (
        <p className="cnode__problems-title" data-col="problem-count">
          {problems.length} problem{problems.length === 1 ? '' : 's'}: malformed files
        </p>
      )}
    </li>
  );
}

/** Malformed files and directories: never fatal, never hidden either. In full, under the nodes, since they are long. */
function NodeProblems({ scan }: { scan: NodeScanView }) {
  return (
    <div className="callout cproblems" data-node={scan.node}>
      <p>
        <span className="mono">{scan.node}</span>: {scan.problems.length} problem{scan.problems.length === 1 ? '' : 's'} in <span className="mono">{scan.root}</span>, reported and skipped
      </p>
      <ul className="cproblems__list" aria-label={`Problems on ${scan.node}`}>
        {scan.problems.map((problem) => (
          <li key={problem} className="mono">{problem}</li>
        ))}
      </ul>
    </div>
  );
}

/** Each Treadmill node's last scan: how long it took, and what could not be read (an unreachable node, malformed files). */
export function NodeScans() {
  const scans = useContainers(selectScans);
  const node = useContainers((s) => s.filter.node);
  const showNode = useContainers((s) => s.showNode);
  const now = useNow(scans.length > 0, 1000);
  if (scans.length === 0) return null;
  return (
    <section className="cnodes" aria-labelledby="cnodes-title">
      <h2 id="cnodes-title" className="panel__title">Treadmill nodes</h2>
      <ul className="cnodes__list" aria-label="Treadmill nodes">
        {scans.map((scan) => (
          <NodeScan key={scan.node} scan={scan} now={now} shown={node === scan.node} onShow={() => showNode(node === scan.node ? null : scan.node)} />
        ))}
      </ul>
      {scans.filter((scan) => scan.problems.length > 0).map((scan) => (
        <NodeProblems key={scan.node} scan={scan} />
      ))}
    </section>
  );
}
