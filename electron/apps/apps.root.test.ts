import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppNodeState } from '../../shared/contract/index.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';
import { appServices, brokenToolsDir, helloApp } from './test-support/app-harness.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/cc');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(100);
  }
}

describe.runIf(canRun)('remote applications on real sshd nodes (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-apps-'));
  let fleet: Fleet;
  let services: ReturnType<typeof appServices>;
  const ended = (s: AppNodeState) => ['FINISHED', 'FAILED', 'STOPPED'].includes(s.status);

  beforeAll(async () => {
    execFileSync('chmod', ['755', dir]);
    const broken = brokenToolsDir(dir);
    fleet = await startFleet({
      count: 6,
      dir: join(dir, 'fleet'),
      firstOctet: 150,
      port: 2291,
      user: 'slipway-test',
      // Every login shell takes half a second, as on lab nodes with heavy rc files: a deploy must not pay it per step.
      slowLogin: 0.5,
      nodeEnv: (name) => (name === 'node006' ? { PATH: `${broken}:/usr/bin:/bin` } : undefined),
    });
    services = appServices(dir, fleet);
    services.apps.start();
  }, 60_000);
  afterAll(async () => {
    services?.apps.close();
    await services?.nodes.close();
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a C program once, spreads it along a tree, runs it on 5 nodes, collects their stdout', { timeout: 120_000 }, async () => {
    const { apps } = services;
    const five = fleet.nodes.slice(0, 5).map((n) => n.name);
    const sessionsBefore = five.map((n) => fleet.sessions(n));
    const started = Date.now();
    const { id, done } = await apps.deploy(helloApp(), five);
    await done;
    const deployMs = Date.now() - started;
    await until(() => apps.get(id).nodes.every(ended));
    // Seven steps and a poll a second, yet a bounded number of sessions per node (resident shells, SFTP), not one per step.
    const sessions = five.map((n, i) => fleet.sessions(n) - sessionsBefore[i]!);
    console.log(`sessions per node during the deploy and run: ${sessions.join(', ')}`);
    for (const count of sessions) expect(count).toBeLessThanOrEqual(6);
    const detail = apps.get(id);
    expect(detail.nodes.map((n) => [n.node, n.status, n.exitCode, n.error])).toEqual(five.map((n) => [n, 'FINISHED', 7, null]));

    const builders = detail.nodes.filter((n) => n.builtBy === n.node && n.receivedFrom === null);
    expect(builders).toHaveLength(1);
    const builder = builders[0]!.node;
    expect(detail.buildTree).toHaveLength(4);
    expect(new Set(detail.buildTree.map((e) => e.to))).toEqual(new Set(five.filter((n) => n !== builder)));
    for (const from of new Set(detail.buildTree.map((e) => e.from))) expect(detail.buildTree.filter((e) => e.from === from).length).toBeLessThanOrEqual(2);
    // The compiler ran on one node only: only its home has a build script and a build log.
    for (const node of detail.nodes) expect(existsSync(join(node.home!, 'build.sh'))).toBe(node.node === builder);
    expect(apps.traces(id, { stream: 'buildlog' }, 0, 100).lines.map((l) => `${l.node} ${l.text}`)).toEqual([`${builder} built hello on ${execFileSync('hostname', { encoding: 'utf8' }).trim()}`]);

    for (const node of five) {
      expect(apps.traces(id, { node, stream: 'stdout' }, 0, 100).lines.map((l) => l.text)).toEqual(['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4']);
      expect(apps.traces(id, { node, stream: 'stderr' }, 0, 100).lines.map((l) => l.text)).toEqual(['done after 5 ticks']);
    }
    const results = await apps.download(id);
    expect(results.files).toBe(5 * 3 - 4);
    expect(readFileSync(join(results.dir, five[0]!, 'stdout'), 'utf8')).toBe('tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n');
    console.log(`deploy to 5 nodes (home, upload, depends, build once + spread, install, start): ${(deployMs / 1000).toFixed(2)} s`);
  });

  it('stops with TERM, and with KILL a program that ignores TERM', { timeout: 120_000 }, async () => {
    const { apps } = services;
    const run = async (env: Record<string, string>) => {
      const { id, done } = await apps.deploy(helloApp({ env: { TICKS: '1000', ...env } }), ['node001']);
      await done;
      await until(() => apps.traces(id, { node: 'node001', stream: 'stdout' }, 0, 1).total >= 2);
      expect(apps.get(id).nodes[0]!.status).toBe('RUNNING');
      expect(await apps.stop(id)).toEqual(['node001']);
      // Nothing of the application is left: not the shell, not the program that ignored TERM.
      expect(spawnSync('pgrep', ['-f', `${apps.get(id).nodes[0]!.home}/bin/hello`]).status).toBe(1);
      return apps.get(id).nodes[0]!;
    };
    expect(await run({})).toMatchObject({ status: 'STOPPED', stoppedWith: 'TERM', exitCode: 143 });
    expect(await run({ IGNORE_TERM: '1' })).toMatchObject({ status: 'STOPPED', stoppedWith: 'KILL after 1 s', exitCode: 137 });
  });

  it('finds running applications again after a restart, traces resume; a reused pid is not the app', { timeout: 120_000 }, async () => {
    const { id, done } = await services.apps.deploy(helloApp({ env: { TICKS: '1000' } }), ['node002', 'node003']);
    await done;
    await until(() => services.apps.traces(id, { node: 'node002' }, 0, 1).total >= 3);
    const before = services.apps.traces(id, {}, 0, 1).total;
    const homes = Object.fromEntries(services.apps.get(id).nodes.map((n) => [n.node, n.home!]));
    services.apps.close();
    await services.nodes.close();

    // While Slipway is down, node003's app dies and its pid is taken by another process.
    const [pid] = readFileSync(join(homes.node003!, 'pid'), 'utf8').split(' ');
    // A whole process group is killed: only if it is the app's (its leader runs the app's runner from its home), never another.
    const leader = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    expect(Number(pid)).toBeGreaterThan(1);
    expect(leader[2], 'the pidfile names a process group leader').toBe(pid);
    expect(realpathSync(`/proc/${pid}/cwd`)).toBe(realpathSync(homes.node003!));
    // The group by the system call: procps-ng 4.0's kill(1) reads "-1234" without a `--` before it as -1, every process.
    process.kill(-Number(pid), 'SIGKILL');
    await sleep(300);
    rmSync(join(homes.node003!, 'exitcode'), { force: true });
    const impostor = spawn('sleep', ['60']);
    writeFileSync(join(homes.node003!, 'pid'), `${impostor.pid} 1\n`);

    services = appServices(dir, fleet);
    services.apps.start();
    try {
      expect(services.apps.runs().map((r) => r.id)).toContain(id);
      await until(() => services.apps.get(id).nodes.find((n) => n.node === 'node003')!.status === 'FINISHED');
      expect(services.apps.get(id).nodes.find((n) => n.node === 'node002')).toMatchObject({ status: 'RUNNING' });
      await until(() => services.apps.traces(id, { node: 'node002' }, 0, 1).total > before + 3);
      expect(impostor.exitCode).toBeNull();
      await services.apps.stop(id);
      expect(services.apps.get(id).nodes.find((n) => n.node === 'node002')!.status).toBe('STOPPED');
    } finally {
      impostor.kill();
    }
  });

  it('blacklists a bad node and skips it next time; a node lost mid-run fails alone; retry reruns only it', { timeout: 180_000 }, async () => {
    const { apps } = services;
    const first = await apps.deploy(helloApp(), ['node001', 'node006']);
    await first.done;
    await until(() => apps.get(first.id).nodes.every(ended));
    const bad = apps.get(first.id).nodes.find((n) => n.node === 'node006')!;
    expect(bad).toMatchObject({ status: 'FAILED', failedStep: 'upload', error: 'blacklisted: tar: sources.tar: Cannot read: Input/output error' });
    expect(apps.blacklist()).toMatchObject([{ node: 'node006', reason: 'tar: sources.tar: Cannot read: Input/output error', run: first.id }]);

    const second = await apps.deploy(helloApp({ env: { TICKS: '25' } }), ['node001', 'node002', 'node003', 'node004', 'node006']);
    await until(() => apps.get(second.id).nodes.filter((n) => n.status === 'RUNNING').length === 4);
    expect(apps.get(second.id).nodes.find((n) => n.node === 'node006')).toMatchObject({ status: 'NOT_STARTED', error: expect.stringMatching(/^skipped: on the blacklist/) });
    await fleet.stopNode('node004');
    await second.done;
    await until(() => apps.get(second.id).nodes.filter((n) => n.node !== 'node006').every(ended));
    const states = Object.fromEntries(apps.get(second.id).nodes.map((n) => [n.node, n.status]));
    expect(states).toEqual({ node001: 'FINISHED', node002: 'FINISHED', node003: 'FINISHED', node004: 'FAILED', node006: 'NOT_STARTED' });
    expect(apps.get(second.id).nodes.find((n) => n.node === 'node004')!.error).toMatch(/^lost: /);

    await fleet.startNode('node004');
    const retry = apps.retryFailed(second.id);
    expect(retry.retrying).toEqual(['node004']);
    await retry.done;
    await until(() => ended(apps.get(second.id).nodes.find((n) => n.node === 'node004')!), 60_000);
    expect(apps.get(second.id).nodes.find((n) => n.node === 'node004')).toMatchObject({ status: 'FINISHED', exitCode: 7 });

    expect(apps.unblacklist('node006')).toBe(true);
    expect(apps.blacklist()).toEqual([]);
  });
});
