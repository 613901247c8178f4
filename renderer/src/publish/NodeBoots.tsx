import { useState } from 'react';
import type { NodeBootEvent } from '../../../shared/contract/index.js';
import { ConfirmDialog } from '../shell/ConfirmDialog.js';
import { ViewLink } from '../shell/ViewLink.js';
import { formatTime } from '../lib/format.js';
import { useNetboot } from './netboot-store.js';

const stageWords: Record<NodeBootEvent['stage'], string> = {
  address: 'address',
  config: 'config served',
  kernel: 'kernel fetched',
  initrd: 'initrd fetched',
  root: 'root image fetched',
  booted: 'booted',
};

/** Each netbooting node: what it boots next, what it booted last, and its last boot step by step (from the services' logs). */
export function NodeBoots() {
  const nodes = useNetboot((s) => s.nodes);
  const pin = useNetboot((s) => s.pin);
  const [rolling, setRolling] = useState<{ node: string; from: string; to: string } | null>(null);
  return (
    <section className="panel node-boots" aria-labelledby="node-boots-title">
      <header className="panel__header">
        <h2 id="node-boots-title" className="panel__title">Netbooting nodes</h2>
        <span className="panel__meta">nodes with a MAC and a netboot choice in the inventory</span>
      </header>
      {nodes.length === 0 ? (
        <p className="panel__empty">No node has a MAC yet: give a node its boot NIC&apos;s MAC and what it netboots in the <ViewLink view="nodes">Nodes view</ViewLink>.</p>
      ) : (
        <div className="table-scroll">
          <table className="table table--compact" aria-label="Netbooting nodes">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">MAC</th>
                <th scope="col">Boots</th>
                <th scope="col">Next boot</th>
                <th scope="col">Last booted</th>
                <th scope="col">Last boot</th>
                <th scope="col"><span className="visually-hidden">Roll back</span></th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((node) => (
                <tr key={node.node} data-node={node.node}>
                  <th scope="row">{node.node}</th>
                  <td className="mono">{node.mac}</td>
                  <td className="mono">{node.choice ?? 'local disk'}</td>
                  <td className="mono" data-col="next">
                    {node.next ?? <span className="muted">{node.problem}</span>}
                    {node.pinned && <span className="badge badge--info">held</span>}
                  </td>
                  <td data-col="last">
                    {node.last ? (
                      <>
                        <span className="mono">{node.last.version}</span> <span className="muted">{formatTime(node.last.at)}</span>
                        {node.next && node.last.version !== node.next && <span className="badge badge--warn">not the next version</span>}
                      </>
                    ) : (
                      <span className="muted">never reported</span>
                    )}
                  </td>
                  <td data-col="progress">
                    <ol className="boot-steps" aria-label={`${node.node} boot steps`}>
                      {node.progress.map((event) => (
                        <li key={`${event.stage}-${event.at}`} data-stage={event.stage} title={event.detail}>
                          {stageWords[event.stage]}
                        </li>
                      ))}
                    </ol>
                  </td>
                  <td>
                    {node.pinned ? (
                      <button type="button" className="button button--small" onClick={() => void pin(node.node, null)}>
                        Follow purpose
                      </button>
                    ) : (
                      node.next &&
                      node.kept[0] && (
                        <button type="button" className="button button--small" onClick={() => setRolling({ node: node.node, from: node.next!, to: node.kept[0]! })}>
                          Roll back
                        </button>
                      )
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rolling && (
        <ConfirmDialog
          id="rollback-node"
          title={`Roll ${rolling.node} back to ${rolling.to}?`}
          detail={`Its config is rewritten by one rename to name ${rolling.to}; it stays there (kept past the grace period) until you let it follow its purpose again. Other nodes keep booting ${rolling.from}.`}
          keepLabel={`Keep ${rolling.from}`}
          confirmLabel="Roll back"
          onConfirm={() => void pin(rolling.node, rolling.to)}
          onClose={() => setRolling(null)}
        />
      )}
    </section>
  );
}
