import type { AppNodeState } from '../../../shared/contract/index.js';
import { nodeStatusText, runOutcomeTone, statusTone, type NodeResult, type RunOutcome } from './run-view.js';

/** The node's state in words ("not started", "skipped", "running"); the enum stays in `data-status` for tests and styles. */
export function AppStatusBadge({ node }: { node: AppNodeState }) {
  const { status } = node;
  return (
    <span className={`badge badge--${statusTone[status]}`} data-status={status}>
      {(status === 'RUNNING' || status === 'BUILDING') && <span className="badge__pulse" aria-hidden="true" />}
      {nodeStatusText(node)}
    </span>
  );
}

const resultTone: Record<NodeResult, string> = { passed: 'ok', failed: 'bad', stopped: 'warn', skipped: 'muted', running: 'run', waiting: 'muted' };

export function ResultBadge({ result }: { result: NodeResult }) {
  return (
    <span className={`badge badge--${resultTone[result]}`} data-result={result}>
      {result}
    </span>
  );
}

/** How a run went, in the run list and the run's header alike. */
export function RunOutcomeBadge({ outcome }: { outcome: RunOutcome }) {
  return (
    <span className={`badge badge--${runOutcomeTone[outcome]}`} data-outcome={outcome}>
      {outcome === 'live' && <span className="badge__pulse" aria-hidden="true" />}
      {outcome}
    </span>
  );
}
