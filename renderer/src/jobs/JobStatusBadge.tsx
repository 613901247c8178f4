import type { BuildStatus, DeploySummary } from '../../../shared/contract/index.js';

/** A build's or a deploy's status: the two kinds share the four. */
export type JobStatus = BuildStatus | DeploySummary['status'];

const tone: Record<JobStatus, string> = {
  running: 'badge--run',
  succeeded: 'badge--ok',
  failed: 'badge--bad',
  cancelled: 'badge--warn',
};

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`badge ${tone[status]}`} data-status={status}>
      {status === 'running' && <span className="badge__pulse" aria-hidden="true" />}
      {status}
    </span>
  );
}
