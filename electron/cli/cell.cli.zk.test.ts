import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CellSnapshot, CellTraceEvent } from '../../shared/contract/cells.js';
import { FakeCell } from '../cells/test-support/cell-writer.js';
import { ZkTestServer, zookeeperMissing } from '../cells/test-support/zk-server.js';

const slipway = join(import.meta.dirname, '..', '..', 'bin', 'slipway.mjs');
const missing = zookeeperMissing();

it('has a ZooKeeper for the cell CLI tests (Debian zookeeper, java)', () => {
  expect(missing).toBeNull();
});

describe.skipIf(missing !== null)('slipway cell against a real ZooKeeper (built CLI)', () => {
  const releases: (() => unknown)[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-cell-'));
  releases.push(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, NO_COLOR: '1', SLIPWAY_CELLS: join(dir, 'cells.yaml') };
  const run = (...args: string[]) => spawnSync(process.execPath, [slipway, 'cell', ...args], { encoding: 'utf8', env, timeout: 30_000 });
  let server: ZkTestServer;
  let fake: FakeCell;
  let instance: string;

  beforeAll(async () => {
    server = await ZkTestServer.start();
    releases.push(() => server.destroy());
    fake = await FakeCell.connect(`${server.connection}/treadmill/cli`);
    releases.push(() => fake.close());
    await fake.create_rootns();
    await fake.server('h1.lab', { cpu: '100%', disk: '100M', memory: '100M', partition: '_default', traits: [] });
    await fake.register_server('h1.lab', 10_000);
    await fake.record_server_state('h1.lab', 'up', 1);
    instance = await fake.schedule('proid.cli', {});
    await fake.schedule('proid.waiting', {});
    await fake.place('h1.lab', instance);
    await fake.register_running(instance, 'h1.lab');
    await fake.publish(instance, '1568000000.5', 'h1.lab', 'configured', '0000000ABCDEF');
  }, 60_000);

  afterAll(async () => {
    for (const release of releases.reverse()) await release();
  });

  it('add and ls remember a cell; a bad URL is refused with why', () => {
    expect(run('add', 'lab', server.url('/treadmill/cli'))).toMatchObject({ status: 0 });
    expect(run('ls', '--json').stdout).toBe(`${JSON.stringify([{ name: 'lab', url: server.url('/treadmill/cli') }])}\n`);
    const bad = run('add', 'bad', 'zookeeper://host-without-port');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/has no port/);
  });

  it('show lists servers and apps, counted by state and filtered by --state', () => {
    const text = run('show', 'lab');
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^lab: 1 servers \(1 up\), pending 1, placed 0, running 1, /);
    expect(text.stdout).toMatch(new RegExp(`${instance.replace('.', '\\.')}\\s+running\\s+h1\\.lab`));
    const json = CellSnapshot.parse(JSON.parse(run('show', 'lab', '--state', 'pending', '--json').stdout));
    expect(json.apps.map((app) => app.state)).toEqual(['pending']);
  });

  it('trace prints the instance events; --follow prints new ones as they are published', async () => {
    const once = run('trace', 'lab', instance);
    expect(once.stderr).toBe('');
    expect(once.stdout).toBe(`Mon, 09 Sep 2019 03:33:20+0000 - h1.lab: ${instance} configured 0000000ABCDEF\n`);
    const child = spawn(process.execPath, [slipway, 'cell', 'trace', 'lab', instance, '--follow', '--json'], { env });
    releases.push(() => child.kill('SIGKILL'));
    const lines: string[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
    });
    const seen = async (count: number) => {
      const deadline = Date.now() + 15_000;
      while (lines.length < count) {
        if (Date.now() > deadline) throw new Error(`saw ${lines.length} lines, wanted ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await seen(1);
    await fake.publish(instance, '1568000005', 'h1.lab', 'service_running', '0000000ABCDEF.web');
    await seen(2);
    expect(lines.map((line) => CellTraceEvent.parse(JSON.parse(line)).type)).toEqual(['configured', 'service_running']);
    child.kill('SIGINT');
  });
});
