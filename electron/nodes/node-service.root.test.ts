import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostKeyPrompt } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from './inventory-file.js';
import { createNodeService } from './node-service.js';
import { startFleet, type Fleet } from './test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

describe.runIf(canRun)('node service over 50 real sshd nodes (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-nodes-'));
  let fleet: Fleet;
  const pollMs = 5_000;

  beforeAll(async () => {
    chmodSync(dir, 0o755); // the test user reads authorized_keys below it
    fleet = await startFleet({ count: 50, dir: join(dir, 'fleet'), firstOctet: 20, port: 2297, user: 'slipway-test' });
    saveInventory(
      join(dir, 'nodes.yaml'),
      fleet.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: ['test'] })),
    );
  }, 120_000);
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with 5 nodes stopped, the other 45 report as fast as 50 do, and the 5 show unreachable at once', { timeout: 120_000 }, async () => {
    const known = join(dir, 'known_hosts');
    writeFileSync(known, fleet.knownHosts);
    const fresh = () => createNodeService({ bus: new EventBus(), inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: known, pollMs, interactive: false });
    // The same cold poll (new connections) of all 50 first: the yardstick on this machine, loaded or not.
    const all = fresh();
    const allStarted = Date.now();
    expect((await all.poll()).filter((s) => s.state === 'reachable')).toHaveLength(50);
    const allMs = Date.now() - allStarted;
    await all.close();
    const service = fresh();
    const stopped = fleet.nodes.slice(10, 15).map((n) => n.name);
    await Promise.all(stopped.map((name) => fleet.stopNode(name)));
    try {
      const started = Date.now();
      const statuses = await service.poll();
      const elapsed = Date.now() - started;
      console.log(`cold poll of 50 nodes ${allMs} ms; of 45 with 5 stopped ${elapsed} ms (poll interval ${pollMs} ms)`);
      // Stopped nodes refuse at once: they hold no one up (a wait for them would be the connect timeout, 8 s).
      expect(elapsed).toBeLessThan(allMs * 1.5 + 1_000);
      const reachable = statuses.filter((s) => s.state === 'reachable');
      expect(reachable).toHaveLength(45);
      expect(reachable.every((s) => s.facts !== null && s.facts.cpus > 0 && s.lastSeen !== null)).toBe(true);
      const unreachable = statuses.filter((s) => s.state === 'unreachable');
      expect(unreachable.map((s) => s.spec.name).sort()).toEqual(stopped);
      expect(unreachable.every((s) => /ECONNREFUSED/.test(s.errors[0]?.message ?? ''))).toBe(true);
      // A second poll reuses the connections: no new handshakes, and the stopped nodes answer from their backoff at once.
      const again = Date.now();
      await service.poll();
      expect(Date.now() - again).toBeLessThan(elapsed);
    } finally {
      await Promise.all(stopped.map((name) => fleet.startNode(name)));
      await service.close();
    }
  });

  it('an unknown host key waits for the operator without holding up the other nodes; accepting remembers it', { timeout: 60_000 }, async () => {
    const bus = new EventBus();
    const own = join(dir, 'own_known_hosts');
    // Every key known but node001's.
    writeFileSync(own, fleet.knownHosts.split('\n').filter((line) => !line.startsWith(`[${fleet.nodes[0]!.host}]`)).join('\n'));
    const service = createNodeService({ bus, inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: own, pollMs, interactive: true });
    const prompts: HostKeyPrompt[] = [];
    bus.subscribe((event) => {
      if (event.topic === 'nodes.hostKeyPrompt') prompts.push(event.payload as HostKeyPrompt);
    });
    try {
      const all = service.poll();
      const others = await service.poll(fleet.nodes.slice(1, 10).map((n) => n.name));
      expect(others.every((s) => s.state === 'reachable')).toBe(true);
      expect(prompts.map((p) => p.node)).toEqual([fleet.nodes[0]!.name]);
      expect(service.list().find((s) => s.spec.name === fleet.nodes[0]!.name)?.state).toBe('host-key-unknown');
      expect(service.answerHostKey(prompts[0]!.id, true)).toBe(true);
      const statuses = await all;
      expect(statuses.find((s) => s.spec.name === fleet.nodes[0]!.name)?.state).toBe('reachable');
      expect(readFileSync(own, 'utf8')).toContain(fleet.nodes[0]!.hostKey);
    } finally {
      await service.close();
    }
  });
});
