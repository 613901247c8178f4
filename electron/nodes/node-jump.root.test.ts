import { appendFileSync, chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from './inventory-file.js';
import { createNodeService } from './node-service.js';
import { startFleet, type Fleet } from './test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

describe.runIf(canRun)('jump hosts (root, real sshd)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-jump-'));
  let fleet: Fleet;
  beforeAll(async () => {
    chmodSync(dir, 0o755);
    fleet = await startFleet({ count: 3, dir: join(dir, 'fleet'), firstOctet: 245, port: 2293, user: 'slipway-test' });
    // node003 refuses to forward: a node reached through it must fail, which proves the path goes through it.
    appendFileSync(join(dir, 'fleet', 'node003', 'sshd_config'), 'AllowTcpForwarding no\n');
    await fleet.stopNode('node003');
    await fleet.startNode('node003');
    const [a, b, c] = fleet.nodes as [Fleet['nodes'][number], Fleet['nodes'][number], Fleet['nodes'][number]];
    const spec = (n: typeof a, jump: string | null, name = n.name) => ({ name, host: n.host, port: n.port, user: fleet.user, identity: fleet.clientKey, jump, labels: [] });
    saveInventory(join(dir, 'nodes.yaml'), [spec(a, null), spec(b, 'node001'), spec(c, null), spec(b, 'node003', 'via-refusing')]);
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches a node through its jump host, and fails through one that refuses to forward', { timeout: 60_000 }, async () => {
    const service = createNodeService({ bus: new EventBus(), inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 60_000, interactive: false });
    try {
      const statuses = await service.poll();
      const state = (name: string) => statuses.find((s) => s.spec.name === name)!;
      expect(state('node002').state).toBe('reachable');
      expect(state('node002').facts?.hostname).toBeTruthy();
      expect(state('via-refusing').state).toBe('unreachable');
      expect(state('via-refusing').errors[0]!.message).toMatch(/through node003/);
    } finally {
      await service.close();
    }
  });
});
