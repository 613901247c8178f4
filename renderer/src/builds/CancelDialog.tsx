import { useEffect, useRef } from 'react';

interface CancelDialogProps {
  name: string;
  onConfirm(): void;
  onClose(): void;
}

/**
 * A real modal (the platform's <dialog>: focus trapped, Escape closes, the page
 * behind inert). Keeping the build is the default: it has the focus.
 */
export function CancelDialog({ name, onConfirm, onClose }: CancelDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (!element.open) element.showModal();
    keep.current?.focus();
    return () => element.close();
  }, []);

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="cancel-title" aria-describedby="cancel-detail" onCancel={onClose}>
      <h2 id="cancel-title" className="dialog__title">
        Cancel build {name}?
      </h2>
      <p id="cancel-detail" className="dialog__detail">
        The running step is stopped and everything it acquired is released.
      </p>
      <div className="dialog__actions">
        <button ref={keep} type="button" className="button" onClick={onClose}>
          Keep building
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          Cancel build
        </button>
      </div>
    </dialog>
  );
}
