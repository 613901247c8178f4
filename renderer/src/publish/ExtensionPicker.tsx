import type { DeployExtension } from '../../../shared/contract/index.js';
import { moveItem } from './deploy-form.js';

interface ExtensionPickerProps {
  available: readonly DeployExtension[];
  /** Paths, in the order they run. */
  chosen: readonly string[];
  error?: string | undefined;
  onChange(chosen: string[]): void;
}

const nameOf = (available: readonly DeployExtension[], path: string) => available.find((e) => e.path === path)?.name ?? path;

/** Extensions run in order on the merged tree: add from the catalog, then reorder or remove. */
export function ExtensionPicker({ available, chosen, error, onChange }: ExtensionPickerProps) {
  return (
    <fieldset className={`fieldset extensions${error ? ' field--invalid' : ''}`} aria-describedby={error ? 'extensions-note' : undefined}>
      <legend className="field__label">Extensions, in run order</legend>
      {chosen.length === 0 ? (
        <p className="extensions__none muted">None chosen: the image is written as built.</p>
      ) : (
        <ol className="extensions__chosen" aria-label="Chosen extensions">
          {chosen.map((path, index) => {
            const name = nameOf(available, path);
            return (
              <li key={`${path}-${index}`} className="extensions__item" data-extension={name}>
                <span className="extensions__index mono">{index + 1}.</span>
                <span className="extensions__name mono" title={path}>{name}</span>
                <button type="button" className="button button--small button--quiet" aria-label={`Move ${name} up`} disabled={index === 0} onClick={() => onChange(moveItem(chosen, index, -1))}>
                  ↑
                </button>
                <button type="button" className="button button--small button--quiet" aria-label={`Move ${name} down`} disabled={index === chosen.length - 1} onClick={() => onChange(moveItem(chosen, index, 1))}>
                  ↓
                </button>
                <button type="button" className="button button--small button--quiet" aria-label={`Remove ${name}`} onClick={() => onChange(chosen.filter((_, i) => i !== index))}>
                  ✕
                </button>
              </li>
            );
          })}
        </ol>
      )}
      {error && <span id="extensions-note" className="field__error">{error}</span>}
      <ul className="extensions__available" aria-label="Available extensions">
        {available.map((ext) => (
          <li key={ext.path} className="extensions__option">
            <button type="button" className="button button--small" aria-label={`Add ${ext.name}`} onClick={() => onChange([...chosen, ext.path])}>
              + Add
            </button>
            <span className="extensions__name mono" title={ext.path}>{ext.name}</span>
            <span className="extensions__description muted">{ext.description}</span>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
