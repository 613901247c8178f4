import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ContainerRow } from '../../../shared/contract/index.js';
import { canBuild, makeService, testSpec } from '../../builds/test-support/build-harness.js';
import { EventBus } from '../../backend/event-bus.js';
import { saveInventory } from '../../nodes/inventory-file.js';
import { createNodeService } from '../../nodes/node-service.js';
import { startFleet, type Fleet } from '../../nodes/test-support/sshd-fleet.js';
import { execaRunner } from '../../process/runner.js';
import { createContainerService } from '../container-service.js';

export const canRunS6Node = canBuild && existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/s6-svscan');

export interface S6NodeOptions {
  /** Prefix of the test's temp dir. */
  name: string;
  firstOctet: number;
  port: number;
  slowLogin?: number;
}

/**
 * One Treadmill node for container tests: a Slipway-built raw image (the
 * containers' lower layer; the same spec in every test, so a cache hit after
 * the first), a real sshd node whose inventory labels point at a Treadmill
 * root, and the node and container services over it. `close` takes the
 * node's s6 supervision tree, sshd and the helper down and removes it all.
 */
export async function startS6Node(options: S6NodeOptions) {
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const root = join(dir, 'treadmill');
  const { service: builds, helpers } = makeService();
  let fleet: Fleet | null = null;
  let nodes: ReturnType<typeof createNodeService> | null = null;
  const close = async () => {
    spawnSync('s6-svscanctl', ['-t', join(root, 'running')]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await nodes?.close();
    await fleet?.stop();
    await helpers.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('chmod', ['755', dir]);
    const build = await builds.start(testSpec(join(dir, 'images'), { name: 'itest-containers', output: { dir: join(dir, 'images'), container: 'raw' } })).done;
    if (build.error) throw new Error(`the containers' image did not build: ${build.error}`);
    const image = build.artifacts[0]!.path;
    fleet = await startFleet({ count: 1, dir: join(dir, 'fleet'), firstOctet: options.firstOctet, port: options.port, user: 'root', ...(options.slowLogin ? { slowLogin: options.slowLogin } : {}) });
    const [node] = fleet.nodes;
    saveInventory(join(dir, 'nodes.yaml'), [{ name: node!.name, host: node!.host, port: node!.port, user: 'root', identity: fleet.clientKey, jump: null, labels: [`treadmill=${root}`] }]);
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    const nodeService = createNodeService({ bus: new EventBus(), inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 600_000, interactive: false });
    nodes = nodeService;
    const containers = createContainerService({ bus: new EventBus(), run: execaRunner, nodes: { specs: () => nodeService.specs(), access: (name) => nodeService.access(name) }, pollMs: 600_000 });

    const manifest = (name: string, command: string, memory = '64M') =>
      stringify({ name, proid: 'root', environment: 'dev', cpu: '100%', memory, disk: '1G', image, services: [{ name: 'web_server', command }] });
    const rowOf = async (instance: string): Promise<ContainerRow | undefined> => (await containers.list(['node001']))[0]!.rows.find((r) => r.instance === instance);
    /** Polls the node's layout (as the console does) until the container's row satisfies `done`. */
    async function until(instance: string, done: (row: ContainerRow) => boolean): Promise<ContainerRow> {
      for (let i = 0; i < 150; i++) {
        const row = await rowOf(instance);
        if (row && done(row)) return row;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`${instance} never got there: ${JSON.stringify(await rowOf(instance))}`);
    }
    return { dir, root, image, fleet, nodes: nodeService, containers, manifest, rowOf, until, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export type S6Node = Awaited<ReturnType<typeof startS6Node>>;
