import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellLookup } from '../../e2e/support/host-lookup.js';
import { BuildHostReport, type NodeSpec } from '../../shared/contract/index.js';
import { packageRoot } from '../backend/app-paths.js';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { createNodeService, type NodeService } from '../nodes/node-service.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';
import { buildHostReadiness } from './build-host-readiness.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');
const slipway = join(packageRoot(), 'bin', 'slipway.mjs');

/*
 * Build hosts are sshd test nodes on this machine (127.0.55.x): one logging in
 * as root, one as an unprivileged user without sudo, one not labelled.
 */
describe.runIf(canRun)('build-host readiness over SSH (root, sshd nodes on 127.0.55.x)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-build-hosts-'));
  let rootFleet: Fleet;
  let userFleet: Fleet;
  let nodes: NodeService;
  const execs = new Map<string, number>();
  /** The node's real pooled access, counting the commands sent through it. */
  const counted = (name: string) => {
    const access = nodes.access(name);
    return { spec: access.spec, exec: (command: string, options: { timeoutMs?: number }) => (execs.set(name, (execs.get(name) ?? 0) + 1), access.exec(command, options)) };
  };

  beforeAll(async () => {
    chmodSync(dir, 0o755); // the unprivileged test user reads its authorized_keys below it
    rootFleet = await startFleet({ count: 2, dir: join(dir, 'root'), thirdOctet: 55, firstOctet: 10, port: 2355 });
    userFleet = await startFleet({ count: 1, dir: join(dir, 'user'), thirdOctet: 55, firstOctet: 20, port: 2356, user: 'slipway-test' });
    const spec = (name: string, fleet: Fleet, index: number, labels: string[]): NodeSpec => {
      const node = fleet.nodes[index]!;
      return { name, host: node.host, port: node.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels };
    };
    saveInventory(join(dir, 'nodes.yaml'), [
      spec('builder', rootFleet, 0, ['build-host']),
      spec('plain', rootFleet, 1, ['test']),
      spec('unprivileged', userFleet, 0, ['build-host']),
    ]);
    writeFileSync(join(dir, 'known_hosts'), rootFleet.knownHosts + userFleet.knownHosts);
    nodes = createNodeService({ bus: new EventBus(), inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 60_000, interactive: false });
  }, 60_000);
  afterAll(async () => {
    await nodes?.close();
    await rootFleet?.stop();
    await userFleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a root build host: every tool found where this machine has it, root, ready when the tools are', { timeout: 60_000 }, async () => {
    const report = await buildHostReadiness(counted('builder'));
    expect(report.node).toBe('builder');
    expect(report.privileges).toMatchObject({ uid: 0, user: 'root', elevation: 'root', canBuild: true });
    for (const tool of report.tools) expect(tool.found, tool.name).toBe(shellLookup(tool.name) !== null);
    const missingRequired = report.tools.filter((t) => t.required && !t.found);
    expect(report.ready).toBe(missingRequired.length === 0);
    // The whole probe is one script: one request on the pooled connection.
    expect(execs.get('builder')).toBe(1);
  });

  it('refuses a node without root, saying what to do', { timeout: 60_000 }, async () => {
    const report = await buildHostReadiness(nodes.access('unprivileged'));
    expect(report.privileges).toMatchObject({ user: 'slipway-test', elevation: 'none', canBuild: false });
    expect(report.ready).toBe(false);
    expect(report.privileges.detail).toMatch(/refused.*user: root.*slipway-test ALL=\(ALL\) NOPASSWD: ALL/);
  });

  it('refuses a node not labelled build-host before running anything on it', async () => {
    await expect(buildHostReadiness(counted('plain'))).rejects.toThrow(/not a build host: give it the label build-host/);
    expect(execs.get('plain') ?? 0).toBe(0);
  });

  it('slipway doctor --node: the report as JSON, exit 0/1 by readiness; refusals on stderr', { timeout: 90_000 }, () => {
    const env = { ...process.env, NO_COLOR: '1', SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'), SLIPWAY_KNOWN_HOSTS: join(dir, 'known_hosts'), HOME: dir };
    const doctor = (...args: string[]) => spawnSync(process.execPath, [slipway, 'doctor', ...args], { env, encoding: 'utf8' });
    const json = doctor('--node', 'builder', '--json');
    const report = BuildHostReport.parse(JSON.parse(json.stdout));
    expect(report.privileges.elevation).toBe('root');
    expect(json.status).toBe(report.ready ? 0 : 1);
    const table = doctor('--node', 'unprivileged');
    expect(table.status).toBe(1);
    expect(table.stdout).toMatch(/^Build host readiness of unprivileged \(/);
    expect(table.stdout).toContain('NOPASSWD');
    expect(table.stdout).toMatch(/ready: no\n$/);
    const plain = doctor('--node', 'plain');
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/plain is not a build host/);
  });
});
