import { useConnection } from '../connection/connection-store.js';
import { backend } from '../connection/backend.js';

const labels = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Backend lost — reconnecting',
  refused: 'Refused by the backend',
} as const;

export function ConnectionIndicator() {
  const state = useConnection((s) => s.state);
  const detail = useConnection((s) => s.detail);
  const hello = useConnection((s) => s.hello);
  const transport = useConnection((s) => s.transport);
  return (
    <div className={`connection connection--${state}`} role="status" aria-label="Backend connection" data-state={state}>
      <div className="connection__line">
        <span className="connection__dot" aria-hidden="true" />
        <span className="connection__label">{labels[state]}</span>
      </div>
      {state === 'connected' && hello && (
        <div className="connection__detail">
          {hello.backend === 'mock' ? 'mocked backend' : 'backend'} on {hello.hostname} · {transport === 'desktop' ? 'desktop' : 'web console'} · v{hello.version}
        </div>
      )}
      {state !== 'connected' && detail && <div className="connection__detail">{detail}</div>}
      {(state === 'refused' || state === 'reconnecting') && (
        <button type="button" className="button button--small" onClick={() => backend().reconnect()}>
          Retry now
        </button>
      )}
    </div>
  );
}
