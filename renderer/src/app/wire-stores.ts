import type { HostConnection } from '../host/frame-client.js';
import { useApps } from '../apps/apps-store.js';
import { useDefinitions } from '../apps/definitions-store.js';
import { useTraces } from '../apps/traces-store.js';
import { useBuilds } from '../builds/builds-store.js';
import { useContainerTrace } from '../containers/container-trace-store.js';
import { useContainers } from '../containers/containers-store.js';
import { useConnection } from '../host/connection-store.js';
import { useNodes } from '../nodes/nodes-store.js';
import { useDeploy } from '../publish/deploy-store.js';
import { usePublish } from '../publish/publish-store.js';
import { useReadiness } from '../readiness/readiness-store.js';

/** Routes the host's events and resyncs to the store of each area. */
export function wireStores(host: HostConnection): void {
  useConnection.setState({ transport: host.kind });
  host.onState((state, detail, hello) => useConnection.getState().setState(state, detail, hello));
  host.onEvent((event) => {
    if (event.topic.startsWith('readiness.')) useReadiness.getState().apply(event);
    else if (event.topic.startsWith('builds.')) useBuilds.getState().apply(event);
    else if (event.topic.startsWith('nodes.')) useNodes.getState().apply(event);
    else if (event.topic.startsWith('publish.')) usePublish.getState().apply(event);
    else if (event.topic.startsWith('deploy.')) useDeploy.getState().apply(event);
    // Traces are the bulk of what a run sends: their own store, so the matrix does not re-render for them.
    else if (event.topic === 'apps.trace') useTraces.getState().apply(event);
    else if (event.topic.startsWith('apps.')) useApps.getState().apply(event);
    // New event lines go to the open timeline only; a scan replaces its node's rows.
    else if (event.topic === 'containers.events') useContainerTrace.getState().apply(event);
    else if (event.topic.startsWith('containers.')) useContainers.getState().apply(event);
  });
  host.onResync(() => {
    void useReadiness.getState().load();
    void useBuilds.getState().load();
    void useNodes.getState().load();
    void usePublish.getState().load();
    void useDeploy.getState().load();
    void useDefinitions.getState().load();
    void useApps.getState().load();
    useTraces.getState().reload();
    void useContainers.getState().load();
    useContainerTrace.getState().reload();
  });
}
