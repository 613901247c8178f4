import { secretName } from '../../../shared/contract/index.js';
import { addEnvRow, type DeployErrors, type EnvRow } from './deploy-form.js';

interface EnvEditorProps {
  rows: readonly EnvRow[];
  errors: DeployErrors;
  onChange(rows: EnvRow[]): void;
}

/**
 * KEY=value rows for the extensions. A row is secret when its name says so
 * (PASSWORD, TOKEN…) or the operator ticks it: its value is hidden as it is
 * typed, and logs, events, state files and the metadata show it masked.
 */
export function EnvEditor({ rows, errors, onChange }: EnvEditorProps) {
  const edit = (id: number, change: Partial<EnvRow>) => onChange(rows.map((r) => (r.id === id ? { ...r, ...change } : r)));
  return (
    <fieldset className="fieldset env">
      <legend className="field__label">Environment</legend>
      <ul className="env__rows" aria-label="Environment variables">
        {rows.map((row, index) => {
          const error = errors[`env.${row.id}`];
          const byName = secretName.test(row.name.trim());
          const secret = byName || row.secret;
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
              <label className="env__secret" title={byName ? 'Secret by its name: its value never reaches a log or the metadata' : 'Its value never reaches a log, an event, a state file or the metadata'}>
                <input type="checkbox" aria-label={`Secret ${index + 1}`} checked={secret} disabled={byName} onChange={(event) => edit(row.id, { secret: event.target.checked })} />
                secret
              </label>
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
