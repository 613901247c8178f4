import { useState } from 'react';
import { useNodes } from './nodes-store.js';
import { ConfirmDialog } from '../shell/ConfirmDialog.js';

const nodesWord = (count: number) => `${count} node${count === 1 ? '' : 's'}`;

/** Asks before removing, naming every node; keeping them is the default. */
export function RemoveNodesDialog({ names, onClose }: { names: readonly string[]; onClose(): void }) {
  const remove = useNodes((s) => s.remove);
  const [removing, setRemoving] = useState(false);
  return (
    <ConfirmDialog
      id="remove"
      title={`Remove ${nodesWord(names.length)} from the inventory?`}
      detail="Nothing on the nodes is touched."
      keepLabel="Keep"
      confirmLabel={`Remove ${nodesWord(names.length)}`}
      busy={removing}
      onConfirm={async () => {
        setRemoving(true);
        await remove([...names]);
      }}
      onClose={onClose}
    >
      <ul className="remove__names" aria-label="Nodes to remove">
        {names.map((name) => (
          <li key={name} className="mono">
            {name}
          </li>
        ))}
      </ul>
    </ConfirmDialog>
  );
}
