import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { hostname, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from './inventory-file.js';
import { createNodeService, type NodeService } from './node-service.js';
import { canUsePidsCgroup, pidsCgroup, type PidsCgroup } from './test-support/pids-cgroup.js';
import { startFleet, type Fleet, type SftpSubsystem } from './test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd') && canUsePidsCgroup();

/** node001: sshd's in-process SFTP; node002: the sftp-server binary (Debian's default); node003: no sftp subsystem; node004: one naming a missing binary. */
const subsystems: Record<string, SftpSubsystem> = { node001: 'internal-sftp', node002: 'sftp-server', node003: 'none', node004: 'missing' };
const withSftp = ['node001', 'node002'];

const meminfo = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;

describe.runIf(canRun)('node health over resident SFTP sessions, 4 real sshd nodes (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-health-'));
  let fleet: Fleet;
  let service: NodeService;
  const cgroups = new Map<string, PidsCgroup>();
  const byName = (statuses: NodeStatus[], name: string) => statuses.find((s) => s.spec.name === name)!;

  beforeAll(async () => {
    chmodSync(dir, 0o755); // the test user reads authorized_keys below it
    fleet = await startFleet({ count: 4, dir: join(dir, 'fleet'), network: '127.21', firstOctet: 10, port: 2224, user: 'slipway-test', sftp: (name) => subsystems[name]! });
    // Before any connection: every session sshd forks for a node lands in that node's cgroup.
    for (const node of fleet.nodes) cgroups.set(node.name, pidsCgroup(`slipway-health-${node.name}-${process.pid}`, fleet.pid(node.name)!));
    saveInventory(
      join(dir, 'nodes.yaml'),
      fleet.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: ['test'] })),
    );
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    service = createNodeService({ bus: new EventBus(), inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 60_000, interactive: false });
  }, 60_000);
  afterAll(async () => {
    for (const cgroup of cgroups.values()) cgroup.thaw();
    await service?.close();
    await fleet?.stop();
    for (const cgroup of cgroups.values()) await cgroup.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads what this host\'s /proc says, over SFTP where the node serves it and through a shell, with why, where it does not', { timeout: 60_000 }, async () => {
    const statuses = await service.poll();
    expect(statuses.map((s) => [s.spec.name, s.state])).toEqual([['node001', 'reachable'], ['node002', 'reachable'], ['node003', 'reachable'], ['node004', 'reachable']]);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    const root = statfsSync('/');
    for (const name of withSftp) {
      const { facts, probe } = byName(statuses, name);
      expect(probe).toEqual({ via: 'sftp' });
      // The nodes are this host behind sshd: their /proc is ours.
      expect(facts!.hostname).toBe(hostname());
      expect(facts!.kernel).toBe(release());
      expect(facts!.cpus).toBe(Number(execFileSync('nproc', { encoding: 'utf8' }).trim()));
      expect(facts!.memTotalBytes).toBe(meminfo('MemTotal'));
      expect(Math.abs(facts!.memAvailableBytes - meminfo('MemAvailable'))).toBeLessThan(meminfo('MemTotal') / 10);
      expect(facts!.rootDiskTotalBytes).toBe(root.blocks * root.bsize);
      expect(Math.abs(facts!.uptimeSeconds - uptime)).toBeLessThan(30);
      expect(facts!.load.every((l, i) => Math.abs(l - load[i]!) < 1)).toBe(true);
    }
    const fallback = byName(statuses, 'node003');
    expect(fallback.probe?.via).toBe('exec');
    expect(fallback.probe?.reason).toMatch(/refused the SFTP subsystem/);
    // The shell reads the same host.
    expect(fallback.facts!.memTotalBytes).toBe(meminfo('MemTotal'));
    expect(fallback.facts!.kernel).toBe(release());
    const missing = byName(statuses, 'node004');
    expect(missing.probe?.via).toBe('exec');
    expect(missing.probe?.reason).toMatch(/SFTP server does not start \(Received exit code 127/);
    // Remembered for the connection: the next poll goes straight to the shell, with the same reason.
    expect(byName(await service.poll(['node004']), 'node004').probe).toEqual(missing.probe);
  });

  it('polls five more times with every fork on the nodes refused: all over SFTP, no new process on a node', { timeout: 60_000 }, async () => {
    await service.poll(withSftp); // sessions open (the first poll did it; this one must not need more)
    const before = new Map(withSftp.map((name) => [name, cgroups.get(name)!.procs()]));
    for (const name of withSftp) cgroups.get(name)!.freeze();
    try {
      for (let round = 1; round <= 5; round++) {
        const statuses = await service.poll(withSftp);
        for (const status of statuses) {
          expect(status.state, `round ${round}, ${status.spec.name}: ${status.errors[0]?.message}`).toBe('reachable');
          expect(status.probe).toEqual({ via: 'sftp' });
        }
      }
      for (const name of withSftp) {
        // A fork under the limit fails and is counted: none was tried, and the same processes are there.
        expect(cgroups.get(name)!.refused()).toBe(0);
        expect(cgroups.get(name)!.procs()).toEqual(before.get(name));
      }
      // The limit bites: a command, which needs a process on the node, cannot start there now.
      await expect(service.access('node001').exec('cat /proc/loadavg', { timeoutMs: 5_000 }).then((r) => r.code)).rejects.toThrow();
      expect(cgroups.get('node001')!.refused()).toBeGreaterThan(0);
    } finally {
      for (const name of withSftp) cgroups.get(name)!.thaw();
    }
  });

  it('a session that dies is dropped and reopened by the next poll, without failing the node', { timeout: 60_000 }, async () => {
    const cgroup = cgroups.get('node002')!;
    const comm = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        return null; // exited between the listing and the read
      }
    };
    const servers = () => cgroup.procs().filter((pid) => comm(pid) === 'sftp-server');
    const [server] = servers();
    expect(server).toBeDefined();
    // The node's own SFTP server process, by its id (it is in this test's cgroup).
    process.kill(server!, 'SIGKILL');
    const after = byName(await service.poll(['node002']), 'node002');
    expect(after.state).toBe('reachable');
    // Either the pool saw the session end before the poll (a new one served it) or the poll met it broken (the shell did).
    if (after.probe?.via === 'exec') expect(after.probe.reason).toMatch(/SFTP session/);
    const next = byName(await service.poll(['node002']), 'node002');
    expect(next.probe).toEqual({ via: 'sftp' });
    expect(servers()).toHaveLength(1);
    expect(servers()[0]).not.toBe(server);
    expect(readdirSync('/proc').includes(String(server))).toBe(false);
  });
});
