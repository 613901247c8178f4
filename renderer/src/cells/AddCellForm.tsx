import { useState, type FormEvent } from 'react';
import { useCells } from './cells-store.js';

/**
 * A cell by its ZooKeeper URL, as Treadmill writes it. The backend checks the
 * URL and the name; its words are shown under the form and what was typed stays.
 * Read-only: adding a cell writes nothing to its ZooKeeper.
 */
export function AddCellForm({ onDone }: { onDone(): void }) {
  const add = useCells((s) => s.add);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('zookeeper://');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const problem = await add(name.trim(), url.trim());
    setBusy(false);
    setError(problem);
    if (problem === null) onDone();
  };

  return (
    <form className="panel cells__add" aria-label="Add a cell" noValidate onSubmit={(event) => void submit(event)}>
      <div className="form-grid cells__add-grid">
        <label className="field">
          <span className="field__label">Name</span>
          <input className="input mono" value={name} required maxLength={63} placeholder="lab-cell" spellCheck={false} autoFocus onChange={(event) => setName(event.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">ZooKeeper URL</span>
          <input className="input mono" value={url} required placeholder="zookeeper://[user@]host:port[,host:port…][/chroot]" spellCheck={false} onChange={(event) => setUrl(event.target.value)} />
          <span className="field__hint">Read only: Slipway never writes to a cell’s ZooKeeper.</span>
        </label>
      </div>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      <div className="cells__add-actions">
        <button type="submit" className="button button--primary" disabled={busy || name.trim() === ''}>
          {busy ? 'Adding…' : 'Add the cell'}
        </button>
        <button type="button" className="button button--quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
