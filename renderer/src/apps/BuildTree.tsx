import type { AppNodeState } from '../../../shared/contract/index.js';
import { buildGroups } from './run-view.js';

/** Who built for each platform, and who passed the build to whom: "rack1-n01 → rack1-n02, rack1-n03". */
export function BuildTree({ nodes, edges, builds }: { nodes: readonly AppNodeState[]; edges: readonly { from: string; to: string }[]; builds: boolean }) {
  const groups = buildGroups(nodes, edges);
  return (
    <section className="app-tree" aria-labelledby="app-tree-title">
      <h3 id="app-tree-title" className="panel__title">Build tree</h3>
      {groups.length === 0 ? (
        <p className="panel__empty">{builds ? 'No node has started building yet.' : 'No build command: every node runs the sources as uploaded.'}</p>
      ) : (
        <ul className="app-tree__groups" aria-label="Build tree">
          {groups.map((group) => (
            <li key={group.builder} className="app-tree__group" data-builder={group.builder}>
              <p className="app-tree__builder">
                {group.building ? 'Building on ' : 'Built on '}
                <strong className="mono">{group.builder}</strong>
                {group.platform && <span className="muted"> for {group.platform}</span>}
                {group.fanOut.length === 0 && !group.building && <span className="muted"> · nobody else needed it</span>}
              </p>
              {group.fanOut.length > 0 && (
                <ul className="app-tree__edges">
                  {group.fanOut.map((entry) => (
                    <li key={entry.from} className="mono" data-from={entry.from}>
                      {entry.from} → {entry.to.join(', ')}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
