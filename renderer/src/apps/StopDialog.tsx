import { ConfirmDialog } from '../shell/ConfirmDialog.js';

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
  return (
    <ConfirmDialog
      id="stop"
      title={whole ? `Stop the run of ${app}?` : `Stop ${app} on ${nodesWord(nodes.length)}?`}
      detail={`Each gets TERM; whatever still runs ${graceSeconds} s later gets KILL. A node still getting ready stops before it starts.`}
      keepLabel="Keep running"
      confirmLabel={`Stop ${nodesWord(nodes.length)}`}
      onConfirm={onStop}
      onClose={onClose}
    >
      <ul className="remove__names" aria-label="Nodes to stop">
        {nodes.map((name) => (
          <li key={name} className="mono">
            {name}
          </li>
        ))}
      </ul>
    </ConfirmDialog>
  );
}
