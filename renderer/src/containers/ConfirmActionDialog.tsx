import { ConfirmDialog } from '../shell/ConfirmDialog.js';
import { containerId, useContainerActions } from './container-actions-store.js';
import type { ContainerKey } from './containers-store.js';

interface DialogProps {
  target: ContainerKey;
  action: 'terminate' | 'remove';
  onConfirm(): void;
  onClose(): void;
}

const what = {
  terminate: {
    title: 'Terminate',
    detail: (t: ContainerKey) => `Its service gets TERM (KILL 10 s later if it is still up); the container moves to cleanup/ on ${t.node} and cannot be started again.`,
  },
  remove: {
    title: 'Remove',
    detail: (t: ContainerKey) => `Its directory apps/${t.unique} is deleted from ${t.node}, logs and all; its events stay in the timeline.`,
  },
};

/** Neither can be undone: keeping the container is the default. */
function ConfirmContainerAction({ target, action, onConfirm, onClose }: DialogProps) {
  const words = what[action];
  return (
    <ConfirmDialog
      id="caction"
      action={action}
      title={
        <>
          {words.title} <span className="mono">{target.instance}</span>?
        </>
      }
      detail={words.detail(target)}
      keepLabel="Keep it"
      confirmLabel={words.title}
      onConfirm={onConfirm}
      onClose={onClose}
    />
  );
}

/** The terminate or remove waiting for the operator's word, if any. */
export function ConfirmActionDialog() {
  const confirming = useContainerActions((s) => s.confirming);
  const run = useContainerActions((s) => s.run);
  const closeConfirm = useContainerActions((s) => s.closeConfirm);
  if (!confirming) return null;
  const { key, action } = confirming;
  // Keyed, so another container's question is a new dialog with the focus on its own safe choice.
  return <ConfirmContainerAction key={`${containerId(key)}/${action}`} target={key} action={action} onConfirm={() => void run(key, action)} onClose={closeConfirm} />;
}
