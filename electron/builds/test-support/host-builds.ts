import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../backend/app-paths.js';
import { createBuildHosts, type BuildHosts } from '../../app/build-hosts.js';
import { startBuildHostNode, type BuildHostNode } from '../../helper/test-support/build-host-node.js';
import { makeService } from './build-harness.js';

export interface HostBuilds {
  host: BuildHostNode;
  hosts: BuildHosts;
  builds: ReturnType<typeof makeService>;
  /** The hosts' helpers, this machine's helper and the sshd node, in that order. */
  close(): Promise<void>;
}

/**
 * A build host (an sshd test node on this machine, root, labelled build-host
 * as `builder`) with its workspace and helpers under `base` (host-ws,
 * host-helpers), and a build service that sends builds there.
 */
export async function startHostBuilds(base: string, address: { thirdOctet: number; firstOctet: number; port: number }): Promise<HostBuilds> {
  const host = await startBuildHostNode(base, address);
  const { nodes } = host;
  const hosts = createBuildHosts({
    access: (name) => nodes.access(name), specs: () => nodes.specs(), bundle: join(packageRoot(), 'out', 'helper', 'build-helper.mjs'),
    workspace: join(base, 'host-ws'), outputRoots: [tmpdir()], helperDir: join(base, 'host-helpers'),
  });
  const builds = makeService({ buildHosts: hosts });
  return {
    host, hosts, builds,
    async close() {
      await hosts.close();
      await builds.helpers.close();
      await host.close();
    },
  };
}
