import { useRef, type ReactNode } from 'react';
import { useModal } from './use-modal.js';

interface ConfirmDialogProps {
  /** Prefix of the element ids the dialog is labelled and described by. */
  id: string;
  title: ReactNode;
  /** What the backend said, shown before the detail (monospace). */
  reason?: ReactNode;
  detail: ReactNode;
  /** After the detail: what it applies to (a list of names). */
  children?: ReactNode;
  keepLabel: string;
  confirmLabel: ReactNode;
  busy?: boolean;
  /** Marks the dialog for tests and styles: which action it asks about. */
  action?: string;
  onConfirm(): void | Promise<void>;
  onClose(): void;
}

/**
 * The one question before anything that cannot be undone: a real modal
 * (<dialog>: focus trapped, Escape keeps), the safe choice focused.
 */
export function ConfirmDialog({ id, title, reason, detail, children, keepLabel, confirmLabel, busy = false, action, onConfirm, onClose }: ConfirmDialogProps) {
  const keep = useRef<HTMLButtonElement>(null);
  const dialog = useModal(keep);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={`${id}-title`} aria-describedby={reason ? `${id}-reason ${id}-detail` : `${id}-detail`} onCancel={onClose} data-action={action}>
      <h2 id={`${id}-title`} className="dialog__title">
        {title}
      </h2>
      {reason ? (
        <p id={`${id}-reason`} className="dialog__reason mono">
          {reason}
        </p>
      ) : null}
      <p id={`${id}-detail`} className="dialog__detail">
        {detail}
      </p>
      {children}
      <div className="dialog__actions">
        <button ref={keep} type="button" className="button" onClick={onClose}>
          {keepLabel}
        </button>
        <button
          type="button"
          className="button button--danger"
          disabled={busy}
          onClick={async () => {
            await onConfirm();
            onClose();
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
