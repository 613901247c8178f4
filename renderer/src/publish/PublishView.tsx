import { useEffect } from 'react';
import { DeployDetailPanel } from './DeployDetailPanel.js';
import { DeployForm } from './DeployForm.js';
import { DeployHistory } from './DeployHistory.js';
import { useDeploy } from './deploy-store.js';
import { PublishForm } from './PublishForm.js';
import { usePublish } from './publish-store.js';
import { TftpTree } from './TftpTree.js';
import { NetbootServices } from './NetbootServices.js';
import { NodeBoots } from './NodeBoots.js';
import { useNetboot } from './netboot-store.js';
import { DismissibleAlert } from '../shell/DismissibleAlert.js';

export function PublishView() {
  const publishError = usePublish((s) => s.error);
  const dismissPublishError = usePublish((s) => s.dismissError);
  const deployError = useDeploy((s) => s.error);
  const dismissDeployError = useDeploy((s) => s.dismissError);
  const loadCatalog = useDeploy((s) => s.loadCatalog);
  const newest = useDeploy((s) => s.history[0]?.id ?? null);
  const selectedId = useDeploy((s) => s.selected?.id ?? null);
  const select = useDeploy((s) => s.select);
  const netbootError = useNetboot((s) => s.error);
  const dismissNetbootError = useNetboot((s) => s.dismissError);

  // Builds finished since the last look are images to deploy now.
  useEffect(() => {
    void loadCatalog();
  }, [loadCatalog]);

  useEffect(() => {
    if (selectedId === null && newest !== null) void select(newest);
  }, [selectedId, newest, select]);

  return (
    <section className="view view--publish" aria-labelledby="view-title">
      <header className="view__header">
        <div>
          <h1 id="view-title">Publish</h1>
          <p className="view__subtitle">Netboot kernel, initrd and root image into the TFTP tree, switched atomically, and serve them to the lab&apos;s nodes; images deployed through configuration extensions on an overlay.</p>
        </div>
      </header>
      {publishError && <DismissibleAlert message={publishError} onDismiss={dismissPublishError} />}
      {deployError && <DismissibleAlert message={deployError} onDismiss={dismissDeployError} />}
      {netbootError && <DismissibleAlert message={netbootError} onDismiss={dismissNetbootError} />}
      <TftpTree />
      <PublishForm />
      <NetbootServices />
      <NodeBoots />
      <h2 className="view__section">Overlay deploy</h2>
      <div className="deploy__top">
        <DeployForm />
        <DeployHistory />
      </div>
      <DeployDetailPanel />
    </section>
  );
}
