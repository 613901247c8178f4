import { useEffect, useRef, useState } from 'react';
import { type ImportResult, useNodes } from './nodes-store.js';
import { useModal } from '../shell/use-modal.js';

type Phase =
  | { kind: 'reading' }
  | { kind: 'preview'; result: ImportResult }
  | { kind: 'importing'; result: ImportResult }
  | { kind: 'done'; result: ImportResult }
  | { kind: 'failed'; message: string; result: ImportResult | null };

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function EntryState({ name, result, done }: { name: string; result: ImportResult; done: boolean }) {
  if (result.existing.includes(name)) return <span className="badge badge--muted">in inventory</span>;
  if (done && result.added.includes(name)) return <span className="badge badge--ok">added</span>;
  return <span className="badge badge--info">new</span>;
}

/** A preview of ~/.ssh/config first (nothing changes), then Import adds the hosts the inventory lacks. */
export function ImportDialog({ onClose }: { onClose(): void }) {
  const importSshConfig = useNodes((s) => s.importSshConfig);
  const [phase, setPhase] = useState<Phase>({ kind: 'reading' });
  const cancel = useRef<HTMLButtonElement>(null);
  const dialog = useModal(cancel);

  useEffect(() => {
    let current = true;
    importSshConfig(false).then(
      (result) => current && setPhase({ kind: 'preview', result }),
      (error: unknown) => current && setPhase({ kind: 'failed', message: messageOf(error), result: null }),
    );
    return () => {
      current = false;
    };
  }, [importSshConfig]);

  async function apply(result: ImportResult): Promise<void> {
    setPhase({ kind: 'importing', result });
    try {
      setPhase({ kind: 'done', result: await importSshConfig(true) });
    } catch (error) {
      setPhase({ kind: 'failed', message: messageOf(error), result });
    }
  }

  const result = phase.kind === 'reading' ? null : phase.result;
  const fresh = result ? result.nodes.filter((n) => !result.existing.includes(n.name)) : [];
  const done = phase.kind === 'done';

  return (
    <dialog ref={dialog} className="dialog dialog--wide" aria-labelledby="import-title" aria-describedby="import-detail" onCancel={onClose}>
      <h2 id="import-title" className="dialog__title">Import from ~/.ssh/config</h2>
      <p id="import-detail" className="dialog__detail">
        {phase.kind === 'reading'
          ? 'Reading the SSH client config…'
          : result && (
              <>
                Read <span className="mono">{result.path}</span>: {fresh.length} new, {result.existing.length} already in the inventory, {result.skipped.length} skipped.
                {done ? ` Added ${result.added.length}: ${result.added.join(', ') || 'none'}.` : ' Nothing changes until you import.'}
              </>
            )}
      </p>
      {result && result.nodes.length > 0 && (
        <div className="import__scroll">
          <table className="table table--compact" aria-label="Hosts in the SSH config">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">User</th>
                <th scope="col">Jump</th>
                <th scope="col">Import</th>
              </tr>
            </thead>
            <tbody>
              {result.nodes.map((node) => (
                <tr key={node.name} data-entry={node.name}>
                  <th scope="row" className="mono">{node.name}</th>
                  <td className="mono">{node.host}:{node.port}</td>
                  <td className="mono">{node.user}</td>
                  <td className="mono">{node.jump ?? '—'}</td>
                  <td><EntryState name={node.name} result={result} done={done} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result && result.skipped.length > 0 && (
        <section className="import__skipped" aria-labelledby="import-skipped-title">
          <h3 id="import-skipped-title" className="panel__title">Skipped</h3>
          <ul aria-label="Skipped hosts">
            {result.skipped.map((entry) => (
              <li key={entry.host} data-skipped={entry.host}>
                <span className="mono">{entry.host}</span> <span className="muted">— {entry.reason}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {phase.kind === 'failed' && (
        <div className="alert" role="alert">
          {phase.message}
        </div>
      )}
      <div className="dialog__actions">
        <button ref={cancel} type="button" className={done ? 'button' : 'button button--quiet'} onClick={onClose}>
          {done ? 'Close' : 'Cancel'}
        </button>
        {!done && (
          <button
            type="button"
            className="button button--primary"
            disabled={phase.kind !== 'preview' || fresh.length === 0}
            onClick={() => result && void apply(result)}
          >
            {phase.kind === 'importing' ? 'Importing…' : `Import ${fresh.length} new node${fresh.length === 1 ? '' : 's'}`}
          </button>
        )}
      </div>
    </dialog>
  );
}
