import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { createNodeService } from '../nodes/node-service.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';
import { execaRunner } from '../process/runner.js';
import { createContainerService } from './container-service.js';
import { deltaClient } from './test-support/delta-client.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

describe.runIf(canRun)('containers read over SSH from a Treadmill node root (real sshd)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-tm-ssh-'));
  let fleet: Fleet;
  let nodes: ReturnType<typeof createNodeService>;
  beforeAll(async () => {
    execFileSync('chmod', ['755', dir]);
    execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bench', 'containers-layout.mjs'), join(dir, 'root'), '200']);
    execFileSync('chmod', ['-R', 'a+rX', join(dir, 'root')]);
    fleet = await startFleet({ count: 1, dir: join(dir, 'fleet'), firstOctet: 170, port: 2287, user: 'slipway-test', slowLogin: 0.5 });
    const [node] = fleet.nodes;
    saveInventory(join(dir, 'nodes.yaml'), [{ name: node!.name, host: node!.host, port: node!.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: [`treadmill=${join(dir, 'root')}`] }]);
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    nodes = createNodeService({ bus: new EventBus(), inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 600_000, interactive: false });
  }, 60_000);
  afterAll(async () => {
    await nodes?.close();
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every container of a labelled node in one round trip, then only what changed', { timeout: 60_000 }, async () => {
    const bus = new EventBus();
    const events: string[] = [];
    bus.subscribe((event) => {
      if (event.topic === 'containers.events') events.push(...(event.payload as { events: { text: string }[] }).events.map((e) => e.text));
    });
    const service = createContainerService({ bus, run: execaRunner, nodes: { specs: () => nodes.specs(), access: (name) => nodes.access(name) }, pollMs: 60_000 });
    const [scan] = await service.list();
    expect(scan).toMatchObject({ node: 'node001', root: join(dir, 'root'), error: null, problems: [] });
    const counts = Object.fromEntries(['running', 'finished', 'killed', 'aborted'].map((state) => [state, scan!.rows.filter((r) => r.state === state).length]));
    expect(counts).toEqual({ running: 80, finished: 40, killed: 40, aborted: 40 });
    const finished = scan!.rows.find((r) => r.instance === 'proid.app2#0000000002')!;
    expect(finished).toMatchObject({ state: 'finished', summary: 'return code: 2', cleanupPending: true, memory: '192M', environment: 'dev', services: ['web_server'] });
    expect(service.trace('node001', 'proid.app2#0000000002').map((e) => e.text)).toEqual(['configured U000000000002', 'finished: return code: 2']);
    expect(events).toHaveLength(400);

    // Second scan: manifests and events only when new, yet every row still has its manifest's facts.
    writeFileSync(join(dir, 'root', 'appevents', `${Date.now() / 1000 + 5},proid.app0#0000000000,service_exited,U000000000000.web_server.0.0`), '');
    const [again] = await service.list();
    expect(again!.rows.find((r) => r.instance === 'proid.app2#0000000002')!.memory).toBe('192M');
    expect(events.at(-1)).toBe('service web_server exited: return code: 0');
    expect(events).toHaveLength(401);

    // A subscribed console gets the rows once, then what changed: the node sends only the lines that changed.
    const client = deltaClient();
    service.subscribe(client.context);
    expect(client.snapshots().map((d) => d.snapshot.rows.length)).toEqual([200]);
    writeFileSync(join(dir, 'root', 'apps', 'proid.app0-0000000000-U000000000000', 'data', 'oom'), '');
    await service.list();
    const [delta] = client.deltas();
    expect(delta).toMatchObject({ seq: 2, added: [], removed: [], changed: [{ instance: 'proid.app0#0000000000', state: 'killed' }] });
    expect(delta!.scan.bytes).toBeLessThan(2_000);
    expect(client.rows('node001')).toHaveLength(200);
  });
});
