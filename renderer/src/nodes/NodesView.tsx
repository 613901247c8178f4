import { useMemo, useState } from 'react';
import type { NodeSpec } from '../../../shared/contract/index.js';
import { HostKeyDialog } from './HostKeyDialog.js';
import { ImportDialog } from './ImportDialog.js';
import { filterNodes, sortNodes } from './node-filter.js';
import { NodeDetailPanel } from './NodeDetailPanel.js';
import { NodeFormDialog } from './NodeFormDialog.js';
import { NodesToolbar } from './NodesToolbar.js';
import { NodeTable } from './NodeTable.js';
import { PassphraseDialog } from './PassphraseDialog.js';
import { selectShownPrompt, useNodes } from './nodes-store.js';
import { RemoveNodesDialog } from './RemoveNodesDialog.js';
import { DismissibleAlert } from '../shell/DismissibleAlert.js';

type Dialog = { kind: 'add' } | { kind: 'edit'; spec: NodeSpec } | { kind: 'remove'; names: string[] } | { kind: 'import' };

export function NodesView() {
  const statuses = useNodes((s) => s.statuses);
  const filter = useNodes((s) => s.filter);
  const selected = useNodes((s) => s.selected);
  const loaded = useNodes((s) => s.loaded);
  const error = useNodes((s) => s.error);
  const waiting = useNodes((s) => s.prompts.length);
  const shownPrompt = useNodes(selectShownPrompt);
  const dismissError = useNodes((s) => s.dismissError);
  const reviewPrompts = useNodes((s) => s.reviewPrompts);
  const [dialog, setDialog] = useState<Dialog | null>(null);

  const all = useMemo(() => sortNodes(Object.values(statuses)), [statuses]);
  const rows = useMemo(() => filterNodes(all, filter), [all, filter]);
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
      ) : rows.length === 0 ? (
        <div className="empty">
          {all.length === 0 ? 'The inventory is empty: add a node, or import the hosts of ~/.ssh/config.' : `No node matches “${filter.trim()}”.`}
        </div>
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
