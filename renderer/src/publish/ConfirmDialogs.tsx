import { ConfirmDialog } from '../shell/ConfirmDialog.js';

interface ReplaceProps {
  /** `tar:/srv/deploy/x.tar`, as the CLI writes it. */
  target: string;
  /** What the backend said about it. */
  detail: string;
  onReplace(): void;
  onClose(): void;
}

/** The target exists: replacing it is the operator's call, and keeping it is the default. */
export function ReplaceTargetDialog({ target, detail, onReplace, onClose }: ReplaceProps) {
  return (
    <ConfirmDialog
      id="replace"
      title={
        <>
          Replace <span className="mono">{target}</span>?
        </>
      }
      reason={detail}
      detail="The deploy writes a new one in its place once every step succeeded."
      keepLabel="Keep it"
      confirmLabel="Replace"
      onConfirm={onReplace}
      onClose={onClose}
    />
  );
}

/** Asks before cancelling a deploy; going on is the default. */
export function CancelDeployDialog({ name, onConfirm, onClose }: { name: string; onConfirm(): void; onClose(): void }) {
  return (
    <ConfirmDialog
      id="cancel-deploy"
      title={`Cancel the deploy of ${name}?`}
      detail="The running step is stopped; the overlay, the image mounts and the temp dir are released, and no target is written."
      keepLabel="Keep deploying"
      confirmLabel="Cancel deploy"
      onConfirm={onConfirm}
      onClose={onClose}
    />
  );
}
