import { secretName } from '../../../shared/contract/index.js';
import { addEnvRow, type DeployErrors, type EnvRow } from './deploy-form.js';

interface EnvEditorProps {
  rows: readonly EnvRow[];
  errors: DeployErrors;
  onChange(rows: EnvRow[]): void;
}

/** KEY=value rows for the extensions. A secret-looking name hides its value as it is typed; logs and metadata show it masked. */
export function EnvEditor({ rows, errors, onChange }: EnvEditorProps) {
  const edit = (id: number, change: Partial<EnvRow>) => onChange(rows.map((r) => (r.id === id ? { ...r, ...change } : r)));
  return (
    <fieldset className="fieldset env">
      <legend className="field__label">Environment</legend>
      <ul className="env__rows" aria-label="Environment variables">
        {rows.map((row, index) => {
          const error = errors[`env.${row.id}`];
          const secret = secretName.test(row.name);
          const note = `env-${row.id}-note`;
          return (
            <li key={row.id} className={`env__row${error ? ' field--invalid' : ''}`} data-env-row={index + 1}>
              <input
                className="input mono"
                aria-label={`Name ${index + 1}`}
                placeholder="HOSTNAME"
                value={row.name}
                spellCheck={false}
                autoCapitalize="off"
                autoComplete="off"
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? note : undefined}
                onChange={(event) => edit(row.id, { name: event.target.value })}
              />
              <span className="env__eq" aria-hidden="true">=</span>
              <input
                className="input mono"
                aria-label={`Value ${index + 1}`}
                type={secret ? 'password' : 'text'}
                placeholder={secret ? 'secret: masked in logs' : 'value'}
                value={row.value}
                spellCheck={false}
                autoComplete="off"
                onChange={(event) => edit(row.id, { value: event.target.value })}
              />
              {secret && <span className="chip" title="Its value never reaches a log or the metadata">secret</span>}
              <button type="button" className="button button--small button--quiet" aria-label={`Remove variable ${index + 1}`} onClick={() => onChange(rows.filter((r) => r.id !== row.id))}>
                ✕
              </button>
              {error && <span id={note} className="field__error env__error">{error}</span>}
            </li>
          );
        })}
      </ul>
      {errors.env && <span className="field__error">{errors.env}</span>}
      <button type="button" className="button button--small" onClick={() => onChange(addEnvRow(rows))}>
        + Add variable
      </button>
    </fieldset>
  );
}
