import { useMemo, useState } from 'react';
import { sortNodes } from '../nodes/node-filter.js';
import { NodeStateBadge } from '../nodes/NodeStateBadge.js';
import { Labels } from '../nodes/NodeTable.js';
import { useNodes } from '../nodes/nodes-store.js';
import { EmptyState } from '../shell/EmptyState.js';
import { useApps } from './apps-store.js';
import { selectDeployNodes, useDefinitions } from './definitions-store.js';

const nodesWord = (count: number) => `${count} node${count === 1 ? '' : 's'}`;

/** Target nodes from the inventory, ticked as the definition selects them until the operator chooses otherwise. */
export function DeployPanel() {
  const statuses = useNodes((s) => s.statuses);
  const nodesLoaded = useNodes((s) => s.loaded);
  const text = useDefinitions((s) => s.text);
  const problems = useDefinitions((s) => s.problems);
  const targets = useDefinitions((s) => s.targets);
  const chosen = useDefinitions((s) => s.chosen);
  const deployNodes = useDefinitions(selectDeployNodes);
  const toggleTarget = useDefinitions((s) => s.toggleTarget);
  const followDefinition = useDefinitions((s) => s.followDefinition);
  const blacklist = useApps((s) => s.blacklist);
  const deploying = useApps((s) => s.deploying);
  const deploy = useApps((s) => s.deploy);
  const [error, setError] = useState<string | null>(null);
  const inventory = useMemo(() => sortNodes(Object.values(statuses)), [statuses]);
  const listed = new Set(blacklist.map((e) => e.node));
  const valid = problems.length === 0 && text.trim() !== '';

  async function start(): Promise<void> {
    if (deploying) return;
    setError(null);
    const outcome = await deploy(text, chosen ?? undefined);
    // The new run is selected, and its panel brings its traces into view once it has them (RunPanel).
    if (!outcome.ok) setError(outcome.field ? `${outcome.field}: ${outcome.message}` : outcome.message);
  }

  return (
    <section className="panel app-deploy" aria-labelledby="app-deploy-title">
      <header className="panel__header">
        <h2 id="app-deploy-title" className="panel__title">Deploy</h2>
        <span className="panel__meta">{chosen ? 'nodes chosen here' : targets === null ? 'resolving the definition’s nodes…' : 'the definition’s nodes and labels'}</span>
      </header>
      <fieldset className="fieldset">
        <legend className="field__label">Target nodes</legend>
        <ul className="app-targets" aria-label="Target nodes">
          {inventory.map(({ spec, state }) => (
            <li key={spec.name} className="app-targets__item" data-node={spec.name}>
              <label className="app-targets__label">
                <input type="checkbox" checked={deployNodes.includes(spec.name)} onChange={() => toggleTarget(spec.name)} />
                <span className="mono app-targets__name">{spec.name}</span>
              </label>
              <NodeStateBadge state={state} />
              {listed.has(spec.name) && (
                <span className="badge badge--bad" title="Skipped by deploys until taken off the blacklist">
                  blacklisted
                </span>
              )}
              <Labels labels={spec.labels} />
            </li>
          ))}
        </ul>
        {inventory.length === 0 && nodesLoaded && (
          <EmptyState size="panel" title="No node in the inventory" testId="app-targets-empty" actions={[{ label: 'Add a node in Nodes', view: 'nodes' }]}>
            An application deploys to nodes of the inventory.
          </EmptyState>
        )}
      </fieldset>
      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}
      <div className="publish__actions">
        <button type="button" className="button button--primary" disabled={!valid || deployNodes.length === 0 || deploying} onClick={() => void start()}>
          {deploying ? 'Deploying…' : `Deploy to ${nodesWord(deployNodes.length)}`}
        </button>
        {chosen && (
          <button type="button" className="button button--quiet" onClick={followDefinition}>
            Use the definition’s nodes
          </button>
        )}
      </div>
    </section>
  );
}
