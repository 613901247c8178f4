import { useRef, useState, type FormEvent, type RefObject } from 'react';
import type { NodeSpec } from '../../../shared/contract/index.js';
import { checkNodeForm, emptyNodeForm, formFieldOf, formValuesOf, nodeFields, type FieldErrors, type NodeField, type NodeFormValues } from './node-form.js';
import { useNodes } from './nodes-store.js';
import { useModal } from '../shell/use-modal.js';

interface FieldProps {
  field: NodeField;
  label: string;
  hint?: string;
  placeholder?: string;
  values: NodeFormValues;
  errors: FieldErrors;
  onChange(field: NodeField, value: string): void;
  inputRef?: RefObject<HTMLInputElement | null>;
  list?: string;
  wide?: boolean;
}

function Field({ field, label, hint, placeholder, values, errors, onChange, inputRef, list, wide }: FieldProps) {
  const error = errors[field];
  const note = `node-${field}-note`;
  return (
    <div className={`field${wide ? ' field--wide' : ''}${error ? ' field--invalid' : ''}`} data-field={field}>
      <label className="field__label" htmlFor={`node-${field}`}>{label}</label>
      <input
        ref={inputRef}
        id={`node-${field}`}
        name={field}
        className="input"
        value={values[field]}
        placeholder={placeholder}
        list={list}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? note : undefined}
        onChange={(event) => onChange(field, event.target.value)}
      />
      {error ? (
        <span id={note} className="field__error">{error}</span>
      ) : (
        hint && <span id={note} className="field__hint">{hint}</span>
      )}
    </div>
  );
}

interface NodeFormDialogProps {
  /** The node being edited; null adds one. */
  editing: NodeSpec | null;
  onClose(): void;
}

/** Add or edit a node: checked with the contract's NodeSpec as it is typed once a save was tried; the backend's refusals land on their field. */
export function NodeFormDialog({ editing, onClose }: NodeFormDialogProps) {
  const save = useNodes((s) => s.save);
  const statuses = useNodes((s) => s.statuses);
  const [values, setValues] = useState<NodeFormValues>(() => (editing ? formValuesOf(editing) : emptyNodeForm));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [tried, setTried] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const dialog = useModal(first);
  const jumps = Object.keys(statuses).filter((name) => name !== editing?.name);

  function change(field: NodeField, value: string): void {
    const next = { ...values, [field]: value };
    setValues(next);
    if (tried) {
      const check = checkNodeForm(next);
      setErrors(check.ok ? {} : check.errors);
    }
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setTried(true);
    setFormError(null);
    const check = checkNodeForm(values);
    if (!check.ok) {
      setErrors(check.errors);
      const field = nodeFields.find((f) => check.errors[f]);
      dialog.current?.querySelector<HTMLInputElement>(`#node-${field}`)?.focus();
      return;
    }
    setSaving(true);
    const outcome = await save(check.spec, editing?.name);
    setSaving(false);
    if (outcome.ok) return onClose();
    const field = formFieldOf(outcome.field ?? undefined);
    if (field) setErrors({ [field]: outcome.message });
    else setFormError(outcome.message);
  }

  const props = { values, errors, onChange: change };
  return (
    <dialog ref={dialog} className="dialog dialog--wide" aria-labelledby="node-form-title" onCancel={onClose}>
      <form className="node-form" noValidate onSubmit={(event) => void submit(event)}>
        <h2 id="node-form-title" className="dialog__title">{editing ? `Edit ${editing.name}` : 'Add a node'}</h2>
        <p className="dialog__detail">Slipway reaches the node over SSH with these settings; its host key is checked against known_hosts first.</p>
        <div className="node-form__grid">
          <Field field="name" label="Name" placeholder="rack1-n04" inputRef={first} {...props} />
          <Field field="host" label="Host" placeholder="10.0.1.14 or node.lab" {...props} />
          <Field field="port" label="Port" placeholder="22" {...props} />
          <Field field="user" label="User" placeholder="root" {...props} />
          <Field field="identity" label="Identity file" placeholder="/home/operator/.ssh/id_ed25519" hint="Empty: the agent and the default keys." wide {...props} />
          <Field field="jump" label="Jump through" placeholder="lab-gw or user@host:port" list="node-jumps" hint="Empty: connect directly." {...props} />
          <Field field="labels" label="Labels" placeholder="rack=1, gpu" hint="Comma separated." {...props} />
          <Field field="mac" label="Boot MAC" placeholder="52:54:00:12:34:56" hint="The NIC it PXE-boots from; empty: not netbooted." {...props} />
          <Field field="netboot" label="Netboots" placeholder="amd64/generic/bookworm/compute" hint="arch/subarch/release/purpose; empty: its local disk." {...props} />
        </div>
        <datalist id="node-jumps">
          {jumps.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        {formError && (
          <div className="alert" role="alert">
            {formError}
          </div>
        )}
        <div className="dialog__actions">
          <button type="button" className="button button--quiet" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save' : 'Add node'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
