import type { ContainerRow } from '../../../shared/contract/index.js';
import { stateTone } from './container-format.js';

export function ContainerStateBadge({ row }: { row: Pick<ContainerRow, 'state' | 'summary'> }) {
  return (
    <span className={`badge badge--${stateTone(row)}`} data-state={row.state}>
      {row.state === 'running' && <span className="badge__pulse" aria-hidden="true" />}
      {row.state}
    </span>
  );
}

/** Finished, but its directory still waits for Treadmill's cleanup (the `cleanup` state says so itself). */
export function CleanupMarker({ row }: { row: Pick<ContainerRow, 'state' | 'cleanupPending'> }) {
  if (!row.cleanupPending || row.state === 'cleanup') return null;
  return (
    <span className="chip chip--cleanup" data-col="cleanup" title="A link in cleanup/ names it: Treadmill has yet to clean it up">
      cleanup pending
    </span>
  );
}
