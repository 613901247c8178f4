import type { BuildStatus } from '../../../shared/contract/index.js';

const tone: Record<BuildStatus, string> = {
  running: 'badge--run',
  succeeded: 'badge--ok',
  failed: 'badge--bad',
  cancelled: 'badge--warn',
};

export function BuildStatusBadge({ status }: { status: BuildStatus }) {
  return (
    <span className={`badge ${tone[status]}`} data-status={status}>
      {status === 'running' && <span className="badge__pulse" aria-hidden="true" />}
      {status}
    </span>
  );
}

export function CacheHitBadge() {
  return (
    <span className="badge badge--info" title="The artifacts of an earlier build of the same spec were reused">
      cache hit
    </span>
  );
}
