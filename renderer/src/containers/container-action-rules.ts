import type { ContainerAction, ContainerRow, ContainerState } from '../../../shared/contract/index.js';

const startable = new Set<ContainerState>(['configured']);
const stoppable = new Set<ContainerState>(['running']);
// A killed service keeps its running/ link like a finished one: terminate is what frees it for remove.
// An exited one (a tombstone the monitor has not handled) is still linked in running/ too.
const terminable = new Set<ContainerState>(['running', 'exited', 'finished', 'killed']);
const removable = new Set<ContainerState>(['cleanup', 'terminated', 'finished', 'killed', 'aborted']);

/** The actions that make sense in the container's state, in the order of its life. */
export function actionsFor(row: Pick<ContainerRow, 'state'>): ContainerAction[] {
  const all: [ContainerAction, Set<ContainerState>][] = [['start', startable], ['stop', stoppable], ['terminate', terminable], ['remove', removable]];
  return all.filter(([, states]) => states.has(row.state)).map(([action]) => action);
}

/** Terminate and remove cannot be undone: the operator confirms them. */
export const needsConfirmation = (action: ContainerAction): action is 'terminate' | 'remove' => action === 'terminate' || action === 'remove';

export const actionWords: Record<ContainerAction, { label: string; busy: string }> = {
  start: { label: 'Start', busy: 'Starting…' },
  stop: { label: 'Stop', busy: 'Stopping…' },
  terminate: { label: 'Terminate…', busy: 'Terminating…' },
  remove: { label: 'Remove…', busy: 'Removing…' },
};
