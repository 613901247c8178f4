import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloApp } from '../apps/test-support/app-harness.js';
import { packageRoot } from '../backend/app-paths.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/cc');
const slipway = join(packageRoot(), 'bin', 'slipway.mjs');

describe.runIf(canRun)('slipway app (built CLI, real sshd nodes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-app-cli-'));
  let fleet: Fleet;
  const env = () => ({ ...process.env, NO_COLOR: '1', SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'), SLIPWAY_KNOWN_HOSTS: join(dir, 'known_hosts'), SLIPWAY_STATE_DIR: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config') });
  const run = (...args: string[]) => spawnSync(process.execPath, [slipway, 'app', ...args], { env: env(), encoding: 'utf8', timeout: 120_000 });

  beforeAll(async () => {
    spawnSync('chmod', ['755', dir]);
    fleet = await startFleet({ count: 3, dir: join(dir, 'fleet'), firstOctet: 160, port: 2289, user: 'slipway-test', slowLogin: 0.5 });
    saveInventory(join(dir, 'nodes.yaml'), fleet.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: ['lab'] })));
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys, reports status and traces, stops', { timeout: 120_000 }, () => {
    writeFileSync(join(dir, 'hello.yaml'), helloApp({ labels: ['lab'] }));
    const deployed = run('deploy', join(dir, 'hello.yaml'), '--wait');
    expect(deployed.stderr).toBe('');
    expect(deployed.status).toBe(0);
    expect(deployed.stdout).toMatch(/node001 +FINISHED +run +7 /);
    expect(deployed.stdout).toMatch(/build tree: node00\d → node00\d, node00\d/);
    const id = /^(app-\d{8}-[0-9a-f]{8})/m.exec(deployed.stdout)![1]!;

    const traces = run('traces', id, '--node', 'node002', '--stream', 'stdout');
    expect(traces.stdout).toBe(['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4'].map((t) => `node002 ${t}\n`).join(''));
    const status = run('status', id, '--json');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout).nodes.map((n: { status: string }) => n.status)).toEqual(['FINISHED', 'FINISHED', 'FINISHED']);
    expect(readFileSync(join(dir, 'state', 'apps', 'runs', id, 'results', 'node003', 'stderr'), 'utf8')).toBe('done after 5 ticks\n');

    writeFileSync(join(dir, 'long.yaml'), helloApp({ env: { TICKS: '1000' } }));
    const long = run('deploy', join(dir, 'long.yaml'), '--nodes', 'node001');
    const longId = /^(app-\d{8}-[0-9a-f]{8})/m.exec(long.stdout)![1]!;
    expect(long.stdout).toMatch(/node001 +RUNNING +run +— +built here +pid \d+/);
    const stopped = run('stop', longId);
    expect(stopped.stdout).toMatch(/node001 +STOPPED +run +143 .*stopped with TERM/);
    expect(run('stop', longId).stdout).toBe('nothing was running\n');
    const bad = run('deploy', join(dir, 'hello.yaml'), '--nodes', 'nodeX');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('slipway app: nodes: not in the inventory: nodeX\n');
  });
});
