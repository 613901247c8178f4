import { useRef, useState } from 'react';
import { useNodes } from './nodes-store.js';
import { useModal } from './use-modal.js';

const nodesWord = (count: number) => `${count} node${count === 1 ? '' : 's'}`;

/** Asks before removing, naming every node; keeping them is the default. */
export function RemoveNodesDialog({ names, onClose }: { names: readonly string[]; onClose(): void }) {
  const remove = useNodes((s) => s.remove);
  const [removing, setRemoving] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  const dialog = useModal(keep);

  async function confirm(): Promise<void> {
    setRemoving(true);
    await remove([...names]);
    onClose();
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="remove-title" aria-describedby="remove-detail" onCancel={onClose}>
      <h2 id="remove-title" className="dialog__title">
        Remove {nodesWord(names.length)} from the inventory?
      </h2>
      <p id="remove-detail" className="dialog__detail">
        Nothing on the nodes is touched.
      </p>
      <ul className="remove__names" aria-label="Nodes to remove">
        {names.map((name) => (
          <li key={name} className="mono">{name}</li>
        ))}
      </ul>
      <div className="dialog__actions">
        <button ref={keep} type="button" className="button" onClick={onClose}>
          Keep
        </button>
        <button type="button" className="button button--danger" disabled={removing} onClick={() => void confirm()}>
          Remove {nodesWord(names.length)}
        </button>
      </div>
    </dialog>
  );
}
