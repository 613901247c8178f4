import type { ReactNode } from 'react';

interface FieldProps {
  id: string;
  label: string;
  error?: string | undefined;
  /** May hold a link to where the missing thing is made ("build an image first"). */
  hint?: ReactNode;
  wide?: boolean;
  /** The control: give it `controlProps(id, error, hint)` so its label and message reach assistive tech. */
  children: ReactNode;
}

/** A labelled control with its error (or hint) below, in the nodes form's style. */
export function Field({ id, label, error, hint, wide, children }: FieldProps) {
  return (
    <div className={`field${wide ? ' field--wide' : ''}${error ? ' field--invalid' : ''}`} data-field={id}>
      <label className="field__label" htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <span id={`${id}-note`} className="field__error">{error}</span>
      ) : (
        hint && <span id={`${id}-note`} className="field__hint">{hint}</span>
      )}
    </div>
  );
}

export function controlProps(id: string, error: string | undefined, hint?: string) {
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': error || hint ? `${id}-note` : undefined };
}
