import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../shared/contract/index.js';
import { packageRoot } from '../backend/app-paths.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');
const slipway = join(packageRoot(), 'bin', 'slipway.mjs');

describe.runIf(canRun)('slipway nodes (built CLI, real sshd nodes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-nodes-cli-'));
  let fleet: Fleet;
  const env = () => ({ ...process.env, NO_COLOR: '1', SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'), SLIPWAY_KNOWN_HOSTS: join(dir, 'known_hosts'), HOME: dir });
  const run = (...args: string[]) => spawnSync(process.execPath, [slipway, 'nodes', ...args], { env: env(), encoding: 'utf8' });

  beforeAll(async () => {
    fleet = await startFleet({ count: 3, dir: join(dir, 'fleet'), firstOctet: 230, port: 2295 });
    const hosts = fleet.nodes.map((n) => `Host ${n.name}\n  HostName ${n.host}\n  Port ${n.port}\n  User root\n  IdentityFile ${fleet.clientKey}\n`).join('\n');
    writeFileSync(join(dir, 'ssh_config'), `${hosts}\nHost *.wild\n  User nobody\n`);
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports ~/.ssh/config hosts, lists them, and polls them', { timeout: 60_000 }, () => {
    const preview = run('import-ssh-config', '--path', join(dir, 'ssh_config'), '--dry-run');
    expect(preview.status).toBe(0);
    expect(preview.stdout).toContain('node001  root@127.0.0.230:2295  would be added');
    expect(run('ls').stdout).not.toContain('node001');
    expect(run('import-ssh-config', '--path', join(dir, 'ssh_config')).stdout).toContain('node003  root@127.0.0.232:2295  added');
    expect(run('ls').stdout).toMatch(/node001 +root@127\.0\.0\.230:2295 +imported/);

    // Unknown host keys are refused by the CLI, with what to do.
    const unknown = run('status', '--json');
    expect(unknown.status).toBe(1);
    const first = JSON.parse(unknown.stdout) as NodeStatus[];
    expect(first.every((s) => s.state === 'host-key-unknown')).toBe(true);
    expect(first[0]!.errors[0]!.message).toMatch(/accept it in the console/);

    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    const ok = run('status');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/node002 +root@127\.0\.0\.231:2295 +reachable +\d+ ms/);

    // Rounds over the same connections: one JSON line each, every node read over its resident SFTP session.
    const rounds = run('status', '--rounds', '2', '--json');
    expect(rounds.status).toBe(0);
    const lines = rounds.stdout.trim().split('\n').map((line) => JSON.parse(line) as { round: number; seconds: number; results: { name: string; ok: boolean; via: string }[] });
    expect(lines.map((l) => l.round)).toEqual([1, 2]);
    for (const line of lines) {
      expect(line.seconds).toBeGreaterThan(0);
      expect(line.results.map((r) => [r.name, r.ok, r.via])).toEqual([['node001', true, 'sftp'], ['node002', true, 'sftp'], ['node003', true, 'sftp']]);
    }
    expect(run('status', '--rounds', '2').stdout).toMatch(/^round 1: 3\/3 reachable in [\d.]+ s\nround 2: 3\/3 reachable in [\d.]+ s\n/);
  });

  it('exits 1 and says unreachable when a node is down', { timeout: 60_000 }, async () => {
    await fleet.stopNode('node002');
    const result = run('status', '--json');
    expect(result.status).toBe(1);
    const statuses = JSON.parse(result.stdout) as NodeStatus[];
    expect(statuses.map((s) => [s.spec.name, s.state])).toEqual([['node001', 'reachable'], ['node002', 'unreachable'], ['node003', 'reachable']]);
    await fleet.startNode('node002');
  });
});
