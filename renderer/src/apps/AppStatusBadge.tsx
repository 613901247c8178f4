import type { AppStatus } from '../../../shared/contract/index.js';
import { statusTone, type NodeResult } from './run-view.js';

export function AppStatusBadge({ status }: { status: AppStatus }) {
  return (
    <span className={`badge badge--${statusTone[status]}`} data-status={status}>
      {(status === 'RUNNING' || status === 'BUILDING') && <span className="badge__pulse" aria-hidden="true" />}
      {status}
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
