import { useEffect, useRef, type RefObject } from 'react';

/**
 * A real modal (the platform's <dialog>: focus trapped, Escape closes, the page
 * behind inert), open while the component is mounted; `focus` gets the focus.
 */
export function useModal(focus?: RefObject<HTMLElement | null>): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  // Opened once per mount; the focus target is read then.
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (!element.open) element.showModal();
    focus?.current?.focus();
    return () => element.close();
  }, []);
  return dialog;
}
