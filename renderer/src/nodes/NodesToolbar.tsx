import { useNodes } from './nodes-store.js';

interface NodesToolbarProps {
  /** The checked rows in view: what Edit and Remove act on. */
  chosen: readonly string[];
  shown: number;
  total: number;
  onAdd(): void;
  onEdit(): void;
  onRemove(): void;
  onImport(): void;
}

export function NodesToolbar({ chosen, shown, total, onAdd, onEdit, onRemove, onImport }: NodesToolbarProps) {
  const filter = useNodes((s) => s.filter);
  const setFilter = useNodes((s) => s.setFilter);
  const polling = useNodes((s) => s.polling);
  const poll = useNodes((s) => s.poll);

  return (
    <div className="toolbar" role="toolbar" aria-label="Nodes">
      <input
        type="search"
        className="input toolbar__filter"
        aria-label="Filter nodes"
        placeholder="Filter: name, host, label, state…"
        value={filter}
        spellCheck={false}
        onChange={(event) => setFilter(event.target.value)}
      />
      <span className="toolbar__meta" data-testid="nodes-count">
        {shown === total ? `${total} nodes` : `${shown} of ${total} nodes`}
        {chosen.length > 0 && ` · ${chosen.length} selected`}
      </span>
      <span className="toolbar__grow" />
      <button type="button" className="button" onClick={onAdd}>
        Add node
      </button>
      <button type="button" className="button" disabled={chosen.length !== 1} onClick={onEdit}>
        Edit
      </button>
      <button type="button" className="button button--danger" disabled={chosen.length === 0} onClick={onRemove}>
        Remove
      </button>
      <span className="toolbar__sep" aria-hidden="true" />
      <button type="button" className="button" onClick={onImport}>
        Import from ~/.ssh/config
      </button>
      <button type="button" className="button" disabled={polling} onClick={() => void poll()}>
        {polling ? 'Polling…' : 'Poll now'}
      </button>
    </div>
  );
}
