import type { BackendConnection } from '../connection/frame-client.js';
import { useApps } from '../apps/apps-store.js';
import { useDefinitions } from '../apps/definitions-store.js';
import { useTraces } from '../apps/traces-store.js';
import { useBuilds } from '../builds/builds-store.js';
import { useFetches } from '../builds/fetch-store.js';
import { useBoots } from '../boot/boot-store.js';
import { useCells } from '../cells/cells-store.js';
import { useNetboot } from '../publish/netboot-store.js';
import { useContainerTrace } from '../containers/container-trace-store.js';
import { useContainers } from '../containers/containers-store.js';
import { useConnection } from '../connection/connection-store.js';
import { useNodes } from '../nodes/nodes-store.js';
import { useDeploy } from '../publish/deploy-store.js';
import { usePublish } from '../publish/publish-store.js';
import { useReadiness } from '../readiness/readiness-store.js';
import { useActivity } from '../shell/activity-store.js';
import { useTerminals } from '../terminal/terminals-store.js';

/** Routes the backend's events and resyncs to the store of each area. */
export function wireStores(connection: BackendConnection): void {
  useConnection.setState({ transport: connection.kind });
  connection.onState((state, detail, hello) => useConnection.getState().setState(state, detail, hello));
  // A terminal's output and end go to the console that opened it alone; when the link drops, the backend ended them.
  connection.onClientEvent((event) => {
    // The containers this console follows: their snapshots and deltas, to it alone.
    if (event.topic === 'containers.delta') useContainers.getState().applyDelta(event.payload);
    // The followed cell's snapshot and deltas, likewise.
    else if (event.topic === 'cells.delta') useCells.getState().receive(event.payload);
    else useTerminals.getState().apply(event);
  });
  connection.onState((state) => {
    if (state !== 'connected' && state !== 'connecting') useTerminals.getState().connectionLost();
  });
  connection.onEvent((event) => {
    // The tray reads every kind's job events besides the area that owns them.
    useActivity.getState().apply(event);
    if (event.topic.startsWith('readiness.')) useReadiness.getState().apply(event);
    else if (event.topic === 'builds.fetchProgress') useFetches.getState().apply(event);
    else if (event.topic.startsWith('builds.')) useBuilds.getState().apply(event);
    else if (event.topic.startsWith('nodes.')) useNodes.getState().apply(event);
    else if (event.topic.startsWith('publish.')) usePublish.getState().apply(event);
    else if (event.topic.startsWith('deploy.')) useDeploy.getState().apply(event);
    else if (event.topic.startsWith('boot.')) useBoots.getState().apply(event);
    else if (event.topic.startsWith('netboot.')) useNetboot.getState().apply(event);
    // Traces are the bulk of what a run sends: their own store, so the matrix does not re-render for them.
    else if (event.topic === 'apps.trace') useTraces.getState().apply(event);
    else if (event.topic.startsWith('apps.')) useApps.getState().apply(event);
    // New event lines go to the open timeline only (rows come as client events, above).
    else if (event.topic === 'containers.events') useContainerTrace.getState().apply(event);
  });
  connection.onResync(() => {
    void useActivity.getState().load();
    void useReadiness.getState().load();
    void useBuilds.getState().load();
    void useNodes.getState().load();
    void usePublish.getState().load();
    void useDeploy.getState().load();
    void useBoots.getState().load();
    void useNetboot.getState().load();
    void useDefinitions.getState().load();
    void useApps.getState().load();
    useTraces.getState().reload();
    void useContainers.getState().load();
    useContainerTrace.getState().reload();
    // A new backend session follows nothing: the cell in view is subscribed again (a fresh snapshot).
    void useCells.getState().list();
    void useCells.getState().refetch();
  });
}
