import type { CellAppState, CellServer } from '../../../shared/contract/cells.js';
import { appTone, serverTone } from './cell-format.js';

export function CellAppBadge({ state }: { state: CellAppState }) {
  return (
    <span className={`badge badge--${appTone(state)}`} data-state={state}>
      {state === 'running' && <span className="badge__pulse" aria-hidden="true" />}
      {state}
    </span>
  );
}

export function CellServerBadge({ server }: { server: CellServer }) {
  return (
    <span className={`badge badge--${serverTone(server)}`} data-state={server.state} title={server.blackedOut === null ? undefined : `blacked out: ${server.blackedOut}`}>
      {server.state}
      {server.blackedOut !== null && ' · blacked out'}
    </span>
  );
}
