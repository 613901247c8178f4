import { ConfirmDialog } from '../shell/ConfirmDialog.js';

interface CancelDialogProps {
  name: string;
  onConfirm(): void;
  onClose(): void;
}

/** Keeping the build is the default: it has the focus. */
export function CancelDialog({ name, onConfirm, onClose }: CancelDialogProps) {
  return (
    <ConfirmDialog
      id="cancel"
      title={`Cancel build ${name}?`}
      detail="The running step is stopped and everything it acquired is released."
      keepLabel="Keep building"
      confirmLabel="Cancel build"
      onConfirm={onConfirm}
      onClose={onClose}
    />
  );
}
