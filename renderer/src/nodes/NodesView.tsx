import { useMemo, useState } from 'react';
import type { NodeSpec } from '../../../shared/contract/index.js';
import { HostKeyDialog } from './HostKeyDialog.js';
import { ImportDialog } from './ImportDialog.js';
import { filterNodes } from './node-filter.js';
import { sortRows } from './node-sort.js';
import { NodeDetailPanel } from './NodeDetailPanel.js';
import { NodeFormDialog } from './NodeFormDialog.js';
import { NodesToolbar } from './NodesToolbar.js';
import { NodeTable } from './NodeTable.js';
import { PassphraseDialog } from './PassphraseDialog.js';
import { selectShownPrompt, useNodes } from './nodes-store.js';
import { RemoveNodesDialog } from './RemoveNodesDialog.js';
import { DismissibleAlert } from '../shell/DismissibleAlert.js';
import { EmptyState } from '../shell/EmptyState.js';

type Dialog = { kind: 'add' } | { kind: 'edit'; spec: NodeSpec } | { kind: 'remove'; names: string[] } | { kind: 'import' };

export function NodesView() {
  const statuses = useNodes((s) => s.statuses);
  const filter = useNodes((s) => s.filter);
  const setFilter = useNodes((s) => s.setFilter);
  const sort = useNodes((s) => s.sort);
  const selected = useNodes((s) => s.selected);
  const loaded = useNodes((s) => s.loaded);
  const error = useNodes((s) => s.error);
  const waiting = useNodes((s) => s.prompts.length);
  const shownPrompt = useNodes(selectShownPrompt);
  const dismissError = useNodes((s) => s.dismissError);
  const reviewPrompts = useNodes((s) => s.reviewPrompts);
  const [dialog, setDialog] = useState<Dialog | null>(null);

  const all = useMemo(() => Object.values(statuses), [statuses]);
  // Filtered first: only the rows in view are sorted.
  const rows = useMemo(() => sortRows(filterNodes(all, filter), sort), [all, filter, sort]);
  const chosen = rows.filter((r) => selected.includes(r.spec.name));
  const reachable = all.filter((s) => s.state === 'reachable').length;
  const attention = all.filter((s) => s.state !== 'reachable' && s.state !== 'unknown').length;
  const close = () => setDialog(null);

  return (
    <section className="view view--nodes" aria-labelledby="view-title">
      <header className="view__header">
        <div>
          <h1 id="view-title">Nodes</h1>
          <p className="view__subtitle">
            {loaded
              ? `${all.length} nodes in the inventory · ${reachable} reachable · ${attention} need attention · health polled over SSH`
              : 'The lab inventory, its host keys, and every node’s health over SSH.'}
          </p>
        </div>
      </header>
      {error && <DismissibleAlert message={error} onDismiss={dismissError} />}
      {waiting > 0 && !shownPrompt && (
        <div className="notice" role="status">
          <span>
            <strong>{waiting} host key{waiting === 1 ? '' : 's'}</strong> wait{waiting === 1 ? 's' : ''} for your answer; {waiting === 1 ? 'that node is' : 'those nodes are'} not
            connected until then.
          </span>
          <button type="button" className="button button--small" onClick={reviewPrompts}>
            Review
          </button>
        </div>
      )}
      <NodesToolbar
        chosen={chosen.map((r) => r.spec.name)}
        shown={rows.length}
        total={all.length}
        onAdd={() => setDialog({ kind: 'add' })}
        onEdit={() => chosen[0] && setDialog({ kind: 'edit', spec: chosen[0].spec })}
        onRemove={() => setDialog({ kind: 'remove', names: chosen.map((r) => r.spec.name) })}
        onImport={() => setDialog({ kind: 'import' })}
      />
      {!loaded ? (
        <div className="panel panel--loading">Loading the inventory…</div>
      ) : all.length === 0 ? (
        <EmptyState
          title="No node in the inventory"
          testId="nodes-empty"
          actions={[
            { label: 'Add a node', onClick: () => setDialog({ kind: 'add' }) },
            { label: 'Import from ~/.ssh/config', onClick: () => setDialog({ kind: 'import' }) },
          ]}
        >
          Builds deploy to nodes, applications run on them and containers are read from them: add one by address, or import the hosts of your SSH client config.
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState title={`No node matches “${filter.trim()}”.`} testId="nodes-empty" actions={[{ label: 'Clear the filter', onClick: () => setFilter('') }]}>
          The filter matches names, addresses, users, labels and the start of a state.
        </EmptyState>
      ) : (
        <NodeTable rows={rows} />
      )}
      <NodeDetailPanel onEdit={(spec) => setDialog({ kind: 'edit', spec })} />
      {dialog?.kind === 'add' && <NodeFormDialog editing={null} onClose={close} />}
      {dialog?.kind === 'edit' && <NodeFormDialog editing={dialog.spec} onClose={close} />}
      {dialog?.kind === 'remove' && <RemoveNodesDialog names={dialog.names} onClose={close} />}
      {dialog?.kind === 'import' && <ImportDialog onClose={close} />}
      <div className="prompt-stack">
        <PassphraseDialog />
        <HostKeyDialog />
      </div>
    </section>
  );
}
