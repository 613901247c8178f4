import { useEffect } from 'react';
import { useApps } from './apps-store.js';
import { BlacklistPanel } from './BlacklistPanel.js';
import { DefinitionPanel } from './DefinitionPanel.js';
import { DeployPanel } from './DeployPanel.js';
import { RunList } from './RunList.js';
import { RunPanel } from './RunPanel.js';
import { DismissibleAlert } from '../shell/DismissibleAlert.js';

export function AppsView() {
  const error = useApps((s) => s.error);
  const dismissError = useApps((s) => s.dismissError);
  const newest = useApps((s) => s.runs[0]?.id ?? null);
  const selectedId = useApps((s) => s.selected?.id ?? null);
  const select = useApps((s) => s.select);

  // Opening the view shows the latest run; its traces are fetched only when someone looks.
  useEffect(() => {
    if (selectedId === null && newest !== null) void select(newest);
  }, [selectedId, newest, select]);

  return (
    <section className="view view--apps" aria-labelledby="view-title">
      <header className="view__header">
        <div>
          <h1 id="view-title">Applications</h1>
          <p className="view__subtitle">One definition, deployed to many nodes over SSH: uploaded, built once per platform and spread along a tree, installed, run and followed live.</p>
        </div>
      </header>
      {error && <DismissibleAlert message={error} onDismiss={dismissError} />}
      <div className="apps__top">
        <DefinitionPanel />
        <DeployPanel />
      </div>
      <div className="apps__middle">
        <RunList />
        <BlacklistPanel />
      </div>
      <RunPanel />
    </section>
  );
}
