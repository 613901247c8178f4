import { useEffect, useId, useState } from 'react';
import type { BuildSummary, ManifestDiff } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { formatTime } from '../lib/format.js';
import { useBuilds } from './builds-store.js';

type Comparison = { state: 'idle' } | { state: 'loading'; with: string } | { state: 'done'; diff: ManifestDiff } | { state: 'error'; with: string; message: string };

function DiffTable({ caption, rows }: { caption: string; rows: { name: string; arch: string; cells: string[] }[] }) {
  if (rows.length === 0) return null;
  return (
    <table className="table table--compact compare__table" aria-label={caption}>
      <caption>{caption} ({rows.length})</caption>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.name}:${row.arch}`} data-package={row.name}>
            <th scope="row" className="mono">{row.name}</th>
            {row.cells.map((cell, index) => (
              <td key={index} className="mono">{cell}</td>
            ))}
            <td className="muted">{row.arch}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** This build's installed packages against an earlier one's: added, removed, version changed (as `slipway build diff`). */
export function CompareBuilds({ build }: { build: BuildSummary }) {
  const history = useBuilds((s) => s.history);
  const [comparison, setComparison] = useState<Comparison>({ state: 'idle' });
  const selectId = useId();
  const others = history.filter((b) => b.id !== build.id && b.status === 'succeeded');
  useEffect(() => setComparison({ state: 'idle' }), [build.id]);

  async function compareWith(other: string): Promise<void> {
    if (!other) return setComparison({ state: 'idle' });
    setComparison({ state: 'loading', with: other });
    try {
      setComparison({ state: 'done', diff: await backend().request('builds.diff', { from: other, to: build.id }) });
    } catch (error) {
      setComparison({ state: 'error', with: other, message: error instanceof Error ? error.message : String(error) });
    }
  }

  if (others.length === 0) return null;
  const chosen = comparison.state === 'done' ? comparison.diff.from : comparison.state === 'idle' ? '' : comparison.with;
  const diff = comparison.state === 'done' ? comparison.diff : null;
  return (
    <section className="compare" aria-labelledby={`${selectId}-title`}>
      <header className="compare__header">
        <h3 id={`${selectId}-title`}>Packages</h3>
        <label htmlFor={selectId}>Compare with</label>
        <select id={selectId} className="input" value={chosen} onChange={(event) => void compareWith(event.target.value)}>
          <option value="">an earlier build…</option>
          {others.map((other) => (
            <option key={other.id} value={other.id}>
              {other.name} · {formatTime(other.startedAt)} · {other.id}
            </option>
          ))}
        </select>
      </header>
      {comparison.state === 'loading' && <p className="muted">Reading both manifests…</p>}
      {comparison.state === 'error' && <p className="error" role="alert">{comparison.message}</p>}
      {diff && (
        <>
          <p className="compare__summary" data-testid="compare-summary">
            {diff.added.length} added, {diff.removed.length} removed, {diff.changed.length} changed, {diff.unchanged} unchanged since {diff.from}
          </p>
          <div className="compare__tables">
            <DiffTable caption="Added" rows={diff.added.map((p) => ({ name: p.name, arch: p.arch, cells: [p.version] }))} />
            <DiffTable caption="Removed" rows={diff.removed.map((p) => ({ name: p.name, arch: p.arch, cells: [p.version] }))} />
            <DiffTable caption="Version changed" rows={diff.changed.map((p) => ({ name: p.name, arch: p.arch, cells: [p.from, `→ ${p.to}`] }))} />
          </div>
        </>
      )}
    </section>
  );
}
