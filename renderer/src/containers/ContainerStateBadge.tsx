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
export function CleanupMarker({ row }: { row: Pick<ContainerRow, 'state' | 'cleanupPending' | 'cleaning'> }) {
  if (row.cleaning && row.state !== 'cleanup') {
    return (
      <span className="chip chip--cleanup" data-col="cleanup" title="A link in cleaning/ names it: its cleanup service runs now">
        cleaning up
      </span>
    );
  }
  if (!row.cleanupPending || row.state === 'cleanup') return null;
  return (
    <span className="chip chip--cleanup" data-col="cleanup" title="A link in cleanup/ names it: Treadmill has yet to clean it up">
      cleanup pending
    </span>
  );
}

/** What the node's directories say beside the state: a tombstone the monitor has not handled, logs archived. */
export function NodeMarkers({ row }: { row: Pick<ContainerRow, 'state' | 'tombstone' | 'archived'> }) {
  return (
    <>
      {row.tombstone && row.state !== 'exited' && (
        <span className="chip chip--cleanup" data-col="tombstone" title="A tombstone in tombstones/ names it: an exit the node's monitor has not handled yet">
          tombstone
        </span>
      )}
      {row.archived && row.state !== 'archived' && (
        <span className="chip chip--cleanup" data-col="archived" title="Its logs are in the node's archives/">
          logs archived
        </span>
      )}
    </>
  );
}
