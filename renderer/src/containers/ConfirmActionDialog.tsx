import { useRef } from 'react';
import { useModal } from '../nodes/use-modal.js';
import { useContainerActions } from './container-actions-store.js';
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
function ConfirmDialog({ target, action, onConfirm, onClose }: DialogProps) {
  const keep = useRef<HTMLButtonElement>(null);
  const dialog = useModal(keep);
  const words = what[action];
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="caction-title" aria-describedby="caction-detail" onCancel={onClose} data-action={action}>
      <h2 id="caction-title" className="dialog__title">
        {words.title} <span className="mono">{target.instance}</span>?
      </h2>
      <p id="caction-detail" className="dialog__detail">{words.detail(target)}</p>
      <div className="dialog__actions">
        <button ref={keep} type="button" className="button" onClick={onClose}>
          Keep it
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          {words.title}
        </button>
      </div>
    </dialog>
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
  return <ConfirmDialog key={`${key.node}/${key.unique}/${action}`} target={key} action={action} onConfirm={() => void run(key, action)} onClose={closeConfirm} />;
}
