import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from './sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

describe.runIf(canRun)('sshd test nodes (root, real OpenSSH)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-fleet-'));
  let fleet: Fleet;
  let knownHosts: string;

  const ssh = (node: Fleet['nodes'][number], ...command: string[]) =>
    spawnSync('ssh', ['-i', fleet.clientKey, '-p', String(node.port), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=5', `root@${node.host}`, ...command], { encoding: 'utf8' });

  beforeAll(async () => {
    fleet = await startFleet({ count: 3, dir, firstOctet: 200, port: 2299 });
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, fleet.knownHosts);
  });
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts nodes with their own host keys that accept the test key', () => {
    expect(new Set(fleet.nodes.map((n) => n.hostKey)).size).toBe(3);
    for (const node of fleet.nodes) {
      const result = ssh(node, 'echo', 'hello from', node.name);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(`hello from ${node.name}`);
    }
  });

  it('stops and restarts exactly one node', async () => {
    const [first, second] = fleet.nodes;
    await fleet.stopNode(first!.name);
    expect(ssh(first!, 'true').status).not.toBe(0);
    expect(ssh(second!, 'true').status).toBe(0);
    await fleet.startNode(first!.name);
    expect(ssh(first!, 'true').status).toBe(0);
  });

  it('leaves no sshd of its own running after stop', async () => {
    await fleet.stop();
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(dir));
    expect(left).toEqual([]);
  });
});
