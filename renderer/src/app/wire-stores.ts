import type { HostConnection } from '../host/frame-client.js';
import { useBuilds } from '../builds/builds-store.js';
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
  });
  host.onResync(() => {
    void useReadiness.getState().load();
    void useBuilds.getState().load();
    void useNodes.getState().load();
    void usePublish.getState().load();
    void useDeploy.getState().load();
  });
}
