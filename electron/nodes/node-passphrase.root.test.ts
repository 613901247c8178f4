import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PassphrasePrompt } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from './inventory-file.js';
import { createNodeService } from './node-service.js';
import { startFleet, type Fleet } from './test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

describe.runIf(canRun)('an encrypted client key (root, real sshd)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-pass-'));
  let fleet: Fleet;
  let agentPid = 0;
  beforeAll(async () => {
    chmodSync(dir, 0o755);
    fleet = await startFleet({ count: 2, dir: join(dir, 'fleet'), firstOctet: 240, port: 2294, user: 'slipway-test' });
    // The fleet's key, re-encrypted with a passphrase: both nodes use it. A clear copy goes to an ssh-agent.
    copyFileSync(fleet.clientKey, join(dir, 'agent_key'));
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'lab-secret', '-P', '', '-f', fleet.clientKey]);
    saveInventory(join(dir, 'nodes.yaml'), fleet.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: [] })));
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
  }, 60_000);
  afterAll(async () => {
    if (agentPid) process.kill(agentPid);
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks once for both nodes, refuses a wrong passphrase, keeps the right one for the session', { timeout: 60_000 }, async () => {
    const bus = new EventBus();
    const prompts: PassphrasePrompt[] = [];
    bus.subscribe((event) => {
      if (event.topic === 'nodes.passphrasePrompt') prompts.push(event.payload as PassphrasePrompt);
    });
    const service = createNodeService({ bus, inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 60_000, interactive: true });
    try {
      const first = service.poll();
      // The poll asks once for the key both nodes use: wait for the question, not for a time.
      await vi.waitFor(() => expect(prompts.length).toBeGreaterThanOrEqual(1), { timeout: 30_000, interval: 20 });
      expect(prompts).toHaveLength(1);
      expect(prompts[0]).toMatchObject({ keyPath: fleet.clientKey, keptIn: 'session' });
      service.answerPassphrase(prompts[0]!.id, 'wrong');
      const failed = await first;
      expect(failed.map((s) => s.state)).toEqual(['auth-failed', 'auth-failed']);
      expect(failed[0]!.errors[0]!.message).toBe(`wrong passphrase for ${fleet.clientKey}`);

      const second = service.poll();
      await vi.waitFor(() => expect(prompts.length).toBeGreaterThanOrEqual(2), { timeout: 30_000, interval: 20 });
      expect(prompts).toHaveLength(2);
      service.answerPassphrase(prompts[1]!.id, 'lab-secret');
      expect((await second).map((s) => s.state)).toEqual(['reachable', 'reachable']);

      await service.close();
      const again = createNodeService({ bus, inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 60_000, interactive: false });
      const cli = await again.poll();
      expect(cli[0]!.errors[0]!.message).toMatch(/load it into ssh-agent, or unlock it in the console/);
      await again.close();
    } finally {
      await service.close();
    }
  });

  it('tries ssh-agent first: a key held there is used without asking for the passphrase', { timeout: 60_000 }, async () => {
    const socket = join(dir, 'agent.sock');
    agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(execFileSync('ssh-agent', ['-a', socket], { encoding: 'utf8' }))![1]);
    chmodSync(join(dir, 'agent_key'), 0o600);
    execFileSync('ssh-add', ['-q', join(dir, 'agent_key')], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
    const bus = new EventBus();
    let asked = false;
    bus.subscribe((event) => {
      if (event.topic === 'nodes.passphrasePrompt') asked = true;
    });
    const service = createNodeService({ bus, inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 60_000, interactive: true, agent: socket });
    try {
      expect((await service.poll()).map((s) => s.state)).toEqual(['reachable', 'reachable']);
      expect(asked).toBe(false);
    } finally {
      await service.close();
    }
  });
});
