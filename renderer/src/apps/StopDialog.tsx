import { useRef } from 'react';
import { useModal } from '../nodes/use-modal.js';

interface StopDialogProps {
  app: string;
  /** Every node that would be stopped. */
  nodes: readonly string[];
  /** The whole run, rather than the nodes ticked. */
  whole: boolean;
  graceSeconds: number;
  onStop(): void;
  onClose(): void;
}

const nodesWord = (count: number) => `${count} node${count === 1 ? '' : 's'}`;

/** Asks before stopping, naming every node; keeping them running is the default. */
export function StopDialog({ app, nodes, whole, graceSeconds, onStop, onClose }: StopDialogProps) {
  const keep = useRef<HTMLButtonElement>(null);
  const dialog = useModal(keep);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="stop-title" aria-describedby="stop-detail" onCancel={onClose}>
      <h2 id="stop-title" className="dialog__title">
        {whole ? `Stop the run of ${app}?` : `Stop ${app} on ${nodesWord(nodes.length)}?`}
      </h2>
      <p id="stop-detail" className="dialog__detail">
        Each gets TERM; whatever still runs {graceSeconds} s later gets KILL. A node still getting ready stops before it starts.
      </p>
      <ul className="remove__names" aria-label="Nodes to stop">
        {nodes.map((name) => (
          <li key={name} className="mono">{name}</li>
        ))}
      </ul>
      <div className="dialog__actions">
        <button ref={keep} type="button" className="button" onClick={onClose}>
          Keep running
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => {
            onStop();
            onClose();
          }}
        >
          Stop {nodesWord(nodes.length)}
        </button>
      </div>
    </dialog>
  );
}
