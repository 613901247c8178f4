import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeSpec, type ContainerScan } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { execaRunner } from '../process/runner.js';
import { createContainerService } from './container-service.js';
import { deltaClient } from './test-support/delta-client.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A node whose commands run in a local `sh` on a Treadmill root in a temp dir
 * (what the node's resident shell does), counted; a scan (a `find apps` walk)
 * can be made slow.
 */
function localNode(options: { scanDelay?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-tm-local-'));
  dirs.push(dir);
  const calls: string[] = [];
  const bus = new EventBus();
  const spec = NodeSpec.parse({ name: 'n1', host: 'n1.lab', labels: [`treadmill=${join(dir, 'root')}`] });
  const service = createContainerService({
    bus,
    run: execaRunner,
    pollMs: 600_000,
    nodes: {
      specs: () => [spec],
      access: () => ({
        async exec(command) {
          const scan = command.includes('find apps');
          calls.push(scan ? 'scan' : 'action');
          // HOME in the temp dir: the rescan keeps its listing under ~/.cache/slipway, removed with the dir.
          const result = await execaRunner('sh', ['-c', `${scan && options.scanDelay ? `sleep ${options.scanDelay}; ` : ''}${command}`], { quiet: true, env: { HOME: join(dir, 'home') } });
          return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
        },
        openPty: async () => {
          throw new Error('no pty here');
        },
      }),
    },
  });
  // A console following the node: one event per scan it is sent (its snapshot, then deltas), the node's rows as it holds them.
  const client = deltaClient();
  const scans = () => client.received.map((d) => ({ ...('snapshot' in d ? d.snapshot : d.scan), rows: client.rows('n1') }) as ContainerScan);
  const subscribe = () => service.subscribe(client.context);
  return { dir, calls, scans, service, subscribe };
}

const manifest = (image: string) => `name: web\nproid: root\nenvironment: dev\ncpu: 100%\nmemory: 64M\ndisk: 1G\nimage: ${image}\nservices: [{ name: web_server, command: 'true' }]\n`;

describe('container service: one scan per node at a time', () => {
  it('concurrent lists of a node (the poll, two clients, the CLI) share one scan', async () => {
    const node = localNode({ scanDelay: 0.3 });
    // The subscribe starts the first scan of the node (no snapshot held yet); the lists join it.
    expect(node.subscribe()).toEqual({ nodes: ['n1'] });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => node.service.list()));
    expect(node.calls).toEqual(['scan']);
    expect(new Set(results.map((r) => r[0]))).toHaveProperty('size', 1);
    expect(node.scans()).toHaveLength(1);
  });

  it('a scan that must see the node as it is now runs after the one under way, shared by all who ask meanwhile', async () => {
    const node = localNode({ scanDelay: 0.2 });
    const first = node.service.list();
    const fresh = [node.service.list(undefined, { fresh: true }), node.service.list(undefined, { fresh: true })];
    await Promise.all([first, ...fresh]);
    expect(node.calls).toEqual(['scan', 'scan']);
    const [a, b] = await Promise.all(fresh);
    expect(a).toEqual(b);
  });

  it('configure answers once the node wrote the container, without waiting for the rescan that lists it', async () => {
    const node = localNode({ scanDelay: 1.5 });
    node.subscribe();
    await node.service.list();
    const started = Date.now();
    // The image must exist on the node, and the proid (root does).
    const made = await node.service.configure('n1', manifest('/bin/sh'));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(node.calls).toEqual(['scan', 'action', 'scan']);
    expect(node.scans()).toHaveLength(1);
    // The rescan's delta lists it.
    await expect.poll(() => node.scans().length, { timeout: 10_000 }).toBe(2);
    expect(node.scans()[1]!.rows.map((r) => r.instance)).toEqual([made.instance]);
    expect(node.scans()[1]!.rows[0]).toMatchObject({ state: 'configured', unique: made.unique });
    // The node kept its listing in the test's HOME (one session: the root configure made), not in the real one.
    expect(readdirSync(join(node.dir, 'home', '.cache', 'slipway', 'container-scans'))).toHaveLength(1);
  });

  it('an action on a container no scan has seen waits for one, and a refusal says it scanned', async () => {
    const node = localNode();
    await expect(node.service.act('n1', 'root.web#0000000001', 'start')).rejects.toThrow('no container root.web#0000000001 on n1 (not in a scan of n1 made just now)');
    expect(node.calls).toEqual(['scan']);
  });
});
