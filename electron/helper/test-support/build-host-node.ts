import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../backend/app-paths.js';
import { EventBus } from '../../backend/event-bus.js';
import { saveInventory } from '../../nodes/inventory-file.js';
import { createNodeService, type NodeService } from '../../nodes/node-service.js';
import { startFleet, type Fleet } from '../../nodes/test-support/sshd-fleet.js';

export interface BuildHostNode {
  /** The helper bundled as one file, as `npm run build:helper` makes it. */
  bundle: string;
  fleet: Fleet;
  /** The inventory: one node, `builder`, labelled build-host, logging in as root. */
  nodes: NodeService;
  close(): Promise<void>;
}

/** A build host for helper tests: one sshd test node on this machine (root), and the helper bundled into `base`. */
export async function startBuildHostNode(base: string, address: { thirdOctet: number; firstOctet: number; port: number }): Promise<BuildHostNode> {
  const bundle = join(base, 'build-helper.mjs');
  execFileSync(join(packageRoot(), 'node_modules', '.bin', 'rolldown'), [join(packageRoot(), 'electron', 'helper', 'helper-main.ts'), '-p', 'node', '-f', 'esm', '-m', '-o', bundle], { stdio: 'pipe' });
  const fleet = await startFleet({ count: 1, dir: join(base, 'fleet'), ...address });
  const node = fleet.nodes[0]!;
  saveInventory(join(base, 'nodes.yaml'), [{ name: 'builder', host: node.host, port: node.port, user: 'root', identity: fleet.clientKey, jump: null, labels: ['build-host'] }]);
  writeFileSync(join(base, 'known_hosts'), fleet.knownHosts);
  const nodes = createNodeService({ bus: new EventBus(), inventoryPath: join(base, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(base, 'known_hosts'), pollMs: 60_000, interactive: false });
  return {
    bundle,
    fleet,
    nodes,
    async close() {
      await nodes.close();
      await fleet.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
