import type { ContainerRow } from '../../../shared/contract/index.js';
import { actionsFor, actionWords, needsConfirmation } from './container-action-rules.js';
import { containerId, selectBusy, selectRefusal, useContainerActions } from './container-actions-store.js';
import { keyOf } from './containers-store.js';
import { useTerminals } from '../terminal/terminals-store.js';

/** What can be done to the container in its state; every button waits while one of its actions runs. */
export function ContainerActions({ row }: { row: ContainerRow }) {
  const busy = useContainerActions(selectBusy(containerId(row)));
  const run = useContainerActions((s) => s.run);
  const ask = useContainerActions((s) => s.ask);
  return (
    <div className="cactions" role="group" aria-label="Container actions" aria-busy={busy !== null}>
      {actionsFor(row).map((action) => (
        <button
          key={action}
          type="button"
          className={`button button--small${needsConfirmation(action) ? ' button--danger' : ''}`}
          data-action={action}
          disabled={busy !== null}
          onClick={() => (needsConfirmation(action) ? ask(keyOf(row), action) : void run(keyOf(row), action))}
        >
          {busy === action ? actionWords[action].busy : actionWords[action].label}
        </button>
      ))}
    </div>
  );
}

/** The node's own words when it refused the container's last action. */
export function ActionRefusal({ row }: { row: ContainerRow }) {
  const refusal = useContainerActions(selectRefusal(containerId(row)));
  const dismiss = useContainerActions((s) => s.dismiss);
  if (!refusal) return null;
  return (
    <div className="alert" role="alert" data-testid="action-refused" data-action={refusal.action}>
      <span>
        {actionWords[refusal.action].label.replace('…', '')} refused: <span className="mono">{refusal.message}</span>
      </span>
      <button type="button" className="button button--small" onClick={() => dismiss(keyOf(row))}>
        Dismiss
      </button>
    </div>
  );
}

/**
 * A root shell inside the container (entered into its namespaces on its node),
 * in a terminal tab of the dock: only while it runs, as nothing is there to
 * enter otherwise.
 */
export function ShellButton({ row }: { row: ContainerRow }) {
  const unique = row.state === 'running' ? row.unique : null;
  return (
    <button
      type="button"
      className="button button--small"
      data-action="shell"
      disabled={unique === null}
      title={unique === null ? 'Only a running container has a shell to open' : `A root shell inside ${row.instance} on ${row.node}, in a terminal tab`}
      onClick={() => unique !== null && useTerminals.getState().open(row.node, { name: unique, instance: row.instance })}
    >
      Shell
    </button>
  );
}
