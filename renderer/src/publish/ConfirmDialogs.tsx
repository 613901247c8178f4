import { useRef } from 'react';
import { useModal } from '../nodes/use-modal.js';

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
  const keep = useRef<HTMLButtonElement>(null);
  const dialog = useModal(keep);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="replace-title" aria-describedby="replace-reason replace-detail" onCancel={onClose}>
      <h2 id="replace-title" className="dialog__title">
        Replace <span className="mono">{target}</span>?
      </h2>
      <p id="replace-reason" className="dialog__reason mono">{detail}</p>
      <p id="replace-detail" className="dialog__detail">
        The deploy writes a new one in its place once every step succeeded.
      </p>
      <div className="dialog__actions">
        <button ref={keep} type="button" className="button" onClick={onClose}>
          Keep it
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => {
            onReplace();
            onClose();
          }}
        >
          Replace
        </button>
      </div>
    </dialog>
  );
}

/** Asks before cancelling a deploy; going on is the default. */
export function CancelDeployDialog({ name, onConfirm, onClose }: { name: string; onConfirm(): void; onClose(): void }) {
  const keep = useRef<HTMLButtonElement>(null);
  const dialog = useModal(keep);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="cancel-deploy-title" aria-describedby="cancel-deploy-detail" onCancel={onClose}>
      <h2 id="cancel-deploy-title" className="dialog__title">
        Cancel the deploy of {name}?
      </h2>
      <p id="cancel-deploy-detail" className="dialog__detail">
        The running step is stopped; the overlay, the image mounts and the temp dir are released, and no target is written.
      </p>
      <div className="dialog__actions">
        <button ref={keep} type="button" className="button" onClick={onClose}>
          Keep deploying
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          Cancel deploy
        </button>
      </div>
    </dialog>
  );
}
