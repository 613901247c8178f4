import { useEffect, useRef } from 'react';
import { appPhases, type AppNodeState } from '../../../shared/contract/index.js';
import { toggleAll } from '../nodes/node-filter.js';
import { useApps } from './apps-store.js';
import { AppStatusBadge } from './AppStatusBadge.js';
import { nodeErrorText, phaseCell, phaseLabels, type CellStatus } from './run-view.js';

const icons: Record<CellStatus, string> = { pending: '○', running: '', done: '✓', failed: '✕', skipped: '–' };

function PhaseCellView({ node, phase }: { node: AppNodeState; phase: (typeof appPhases)[number] }) {
  const cell = phaseCell(node, phase);
  return (
    <td className={`app-cell app-cell--${cell.status}`} data-phase={phase} data-status={cell.status} title={cell.detail}>
      <span className="app-cell__icon" aria-hidden="true">
        {cell.status === 'running' ? <span className="spinner" /> : icons[cell.status]}
      </span>
      <span className="app-cell__text" aria-hidden="true">{cell.text}</span>
      <span className="visually-hidden">{cell.detail}</span>
    </td>
  );
}

interface PhaseMatrixProps {
  nodes: readonly AppNodeState[];
  colours: ReadonlyMap<string, number>;
  /** Nodes that can be stopped now: only those can be ticked. */
  stoppable: readonly string[];
}

/** Nodes × phases: where each node is, what each phase said, and how the node ended. */
export function PhaseMatrix({ nodes, colours, stoppable }: PhaseMatrixProps) {
  const checked = useApps((s) => s.checked);
  const toggleChecked = useApps((s) => s.toggleChecked);
  const setChecked = useApps((s) => s.setChecked);
  const ticked = checked.filter((n) => stoppable.includes(n)).length;
  const all = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (all.current) all.current.indeterminate = ticked > 0 && ticked < stoppable.length;
  }, [ticked, stoppable.length]);

  return (
    <div className="app-matrix__scroll">
      <table className="table table--compact app-matrix" aria-label="Node phases">
        <thead>
          <tr>
            <th scope="col" className="nodes__check">
              <input
                ref={all}
                type="checkbox"
                aria-label="Select every running node"
                checked={stoppable.length > 0 && ticked === stoppable.length}
                disabled={stoppable.length === 0}
                onChange={() => setChecked(toggleAll(checked.filter((n) => stoppable.includes(n)), stoppable))}
              />
            </th>
            <th scope="col">Node</th>
            <th scope="col">Status</th>
            {appPhases.map((phase) => (
              <th key={phase} scope="col">{phaseLabels[phase]}</th>
            ))}
            <th scope="col">Exit</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => {
            const canStop = stoppable.includes(node.node);
            return (
              <tr key={node.node} data-node={node.node} data-status={node.status} className={checked.includes(node.node) && canStop ? 'is-checked' : undefined}>
                <td className="nodes__check">
                  <input type="checkbox" aria-label={`Select ${node.node}`} checked={canStop && checked.includes(node.node)} disabled={!canStop} onChange={() => toggleChecked(node.node)} />
                </td>
                <th scope="row" className="app-matrix__node">
                  <span className={`node-dot trace-c${colours.get(node.node) ?? 0}`} aria-hidden="true" />
                  <span className="mono">{node.node}</span>
                  {node.platform && <span className="app-matrix__platform">{node.platform}</span>}
                </th>
                <td className="app-matrix__status" data-col="status">
                  <span className="chips">
                    <AppStatusBadge node={node} />
                    {node.stoppedWith && <span className="chip" data-col="stopped-with">{node.stoppedWith}</span>}
                  </span>
                  {node.error && (
                    <span className="app-matrix__error" title={nodeErrorText(node) ?? undefined} data-col="error">
                      {nodeErrorText(node)}
                    </span>
                  )}
                </td>
                {appPhases.map((phase) => (
                  <PhaseCellView key={phase} node={node} phase={phase} />
                ))}
                <td className="mono" data-col="exit">{node.exitCode ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
