/** A view's error from the backend, until the operator dismisses it. */
export function DismissibleAlert({ message, onDismiss }: { message: string; onDismiss(): void }) {
  return (
    <div className="alert" role="alert">
      <span>{message}</span>
      <button type="button" className="button button--small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
