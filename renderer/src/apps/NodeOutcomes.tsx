import type { AppNodeState } from '../../../shared/contract/index.js';
import { ResultBadge } from './AppStatusBadge.js';
import { outcomeText, resultOf, resultSummary } from './run-view.js';

/** Each node's pass or fail, with the reason: exit code, the phase that failed and why, how it was stopped. */
export function NodeOutcomes({ nodes }: { nodes: readonly AppNodeState[] }) {
  return (
    <section className="app-outcomes" aria-labelledby="app-outcomes-title">
      <header className="panel__header">
        <h3 id="app-outcomes-title" className="panel__title">Per-node results</h3>
        <span className="panel__meta" data-testid="result-summary">{resultSummary(nodes)}</span>
      </header>
      <ul className="app-outcomes__list" aria-label="Per-node results">
        {nodes.map((node) => {
          const result = resultOf(node);
          return (
            <li key={node.node} className="app-outcomes__item" data-node={node.node} data-result={result}>
              <ResultBadge result={result} />
              <span className="mono app-outcomes__node">{node.node}</span>
              <span className="app-outcomes__text" title={outcomeText(node)}>{outcomeText(node)}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
