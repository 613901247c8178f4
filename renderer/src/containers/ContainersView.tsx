import { formatCount } from '../lib/format.js';
import { ConfigurePanel } from './ConfigurePanel.js';
import { ConfirmActionDialog } from './ConfirmActionDialog.js';
import { useConfigure } from './configure-store.js';
import { ContainerDetail } from './ContainerDetail.js';
import { ContainersToolbar } from './ContainersToolbar.js';
import { ContainerTable } from './ContainerTable.js';
import { selectAllRows, selectScans, useContainers } from './containers-store.js';
import { NodeScans } from './NodeScans.js';
import { DismissibleAlert } from '../shell/DismissibleAlert.js';
import { EmptyState } from '../shell/EmptyState.js';

export function ContainersView() {
  const error = useContainers((s) => s.error);
  const loaded = useContainers((s) => s.loaded);
  // Nodes followed, scanned or not yet: a node whose first scan is under way is not "no node".
  const nodes = useContainers((s) => Math.max(s.followed.length, selectScans(s).length));
  const total = useContainers((s) => selectAllRows(s).length);
  const dismissError = useContainers((s) => s.dismissError);
  const configuring = useConfigure((s) => s.open);
  const toggleConfigure = useConfigure((s) => s.toggle);

  return (
    <section className="view view--containers" aria-labelledby="view-title">
      <header className="view__header">
        <div>
          <h1 id="view-title">Containers</h1>
          <p className="view__subtitle">
            {loaded
              ? `${formatCount(total)} Treadmill containers on ${nodes} node${nodes === 1 ? '' : 's'} · read live from each node root`
              : 'Treadmill containers on the nodes labelled treadmill, read live from each node root over SSH.'}
          </p>
        </div>
        {loaded && nodes > 0 && (
          <button type="button" className="button" aria-expanded={configuring} aria-controls="cconfigure" onClick={toggleConfigure}>
            {configuring ? 'Close the configure panel' : 'Configure a container'}
          </button>
        )}
      </header>
      {error && <DismissibleAlert message={error} onDismiss={dismissError} />}
      {loaded && nodes === 0 ? (
        <EmptyState title="No Treadmill node" testId="containers-empty" actions={[{ label: 'Label a node in Nodes', view: 'nodes' }]}>
          Label a node <code>treadmill</code> (or <code>treadmill=/its/root</code>) in the Nodes view: its containers show here.
        </EmptyState>
      ) : (
        <>
          <ConfigurePanel />
          <NodeScans />
          <ContainersToolbar />
          <ContainerTable />
          <ContainerDetail />
          <ConfirmActionDialog />
        </>
      )}
    </section>
  );
}
