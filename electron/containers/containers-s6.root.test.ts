import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ContainerRow } from '../../shared/contract/containers.js';
import { packageRoot } from '../backend/app-paths.js';
import { canRunS6Node, startS6Node, type S6Node } from './test-support/s6-node.js';

const sha256 = (path: string) => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;

describe.runIf(canRunS6Node)('containers supervised by s6 on an overlay root from a Slipway-built image (real sshd, root)', () => {
  let node: S6Node;
  let dir = '';
  let root = '';
  let image = '';
  let imageSum = '';
  let fleet: S6Node['fleet'];
  let containers: S6Node['containers'];
  const manifest = (name: string, command: string, memory?: string) => node.manifest(name, command, memory);
  const rowOf = (instance: string) => node.rowOf(instance);
  const until = (instance: string, done: (row: ContainerRow) => boolean) => node.until(instance, done);

  beforeAll(async () => {
    node = await startS6Node({ name: 'slipway-s6', firstOctet: 175, port: 2285, slowLogin: 0.5 });
    ({ dir, root, image, fleet, containers } = node);
    imageSum = sha256(image);
  }, 600_000);

  // The node's supervision tree goes with the test.
  afterAll(() => node?.close());

  it('configure → start → the service runs on the image → exits 3 → finished "return code: 3", events in order', { timeout: 120_000 }, async () => {
    const { instance, unique } = await containers.configure('node001', manifest('web', 'cat /etc/slipway-test; echo "pid $$"; exit 3'));
    expect(await rowOf(instance)).toMatchObject({ state: 'configured', unique, memory: '64M', environment: 'dev' });
    await containers.act('node001', instance, 'start');
    // The finish script writes exitinfo and its events first, then links cleanup/ (as Treadmill's finish does): wait for both.
    const row = await until(instance, (r) => r.state === 'finished' && r.cleanupPending);
    expect(row).toMatchObject({ summary: 'return code: 3', cleanupPending: true });
    expect(containers.trace('node001', instance).map((e) => e.type)).toEqual(['configured', 'service_running', 'service_exited', 'finished']);
    expect(containers.trace('node001', instance).at(-2)!.text).toBe('service web_server exited: return code: 3');
    // What it printed came from the image (the build wrote /etc/slipway-test), from a pid namespace of its own
    // (a shell is its init; the service's pid is a small number there, not the host's).
    const log = readFileSync(join(root, 'apps', unique, 'log', 'main', 'current'), 'utf8');
    expect(log).toMatch(/ ok\n.* pid \d+\n/);
    expect(Number(/ pid (\d+)/.exec(log)![1])).toBeLessThan(100);
    // The same log, read through Slipway from an offset (as the console tails it): whole lines, then nothing new.
    const tail = await containers.logs('node001', instance, 0);
    expect(tail).toMatchObject({ restarted: false, offset: Buffer.byteLength(log) });
    expect(tail.text).toBe(log);
    expect(await containers.logs('node001', instance, tail.offset)).toEqual({ text: '', offset: tail.offset, restarted: false });
    // The image is the lower layer only: never written.
    expect(sha256(image)).toBe(imageSum);
  });

  it('the manifest environ reaches the service, value for value', { timeout: 120_000 }, async () => {
    const value = "it's $(touch /tmp/slipway-environ-pwned) `x` \\ done";
    const text = stringify({ name: 'env', proid: 'root', environment: 'dev', cpu: '100%', memory: '64M', disk: '1G', image, environ: [{ name: 'GREETING', value }], services: [{ name: 'web_server', command: 'printf "%s\\n" "$GREETING"' }] });
    const { instance, unique } = await containers.configure('node001', text);
    await containers.act('node001', instance, 'start');
    await until(instance, (r) => r.state === 'finished');
    const log = readFileSync(join(root, 'apps', unique, 'log', 'main', 'current'), 'utf8');
    expect(log.split('\n').map((line) => line.replace(/^@\S+ /, ''))).toContain(value);
    expect(existsSync('/tmp/slipway-environ-pwned')).toBe(false);
  });

  it('a service over its memory limit is killed: out of memory', { timeout: 120_000 }, async () => {
    const { instance } = await containers.configure('node001', manifest('hog', 'head -c 400000000 /dev/zero | tail', '32M'));
    await containers.act('node001', instance, 'start');
    const row = await until(instance, (r) => r.state !== 'configured' && r.state !== 'running');
    expect(row).toMatchObject({ state: 'killed', summary: 'out of memory' });
    expect(containers.trace('node001', instance).map((e) => e.text)).toContain('killed, out of memory');
  });

  it('terminate moves a running container to cleanup; remove then deletes it', { timeout: 120_000 }, async () => {
    const { instance, unique } = await containers.configure('node001', manifest('sleeper', 'exec sleep 1000'));
    await containers.act('node001', instance, 'start');
    await until(instance, (r) => r.state === 'running');
    await expect(containers.act('node001', instance, 'remove')).rejects.toThrow(/still in running\/: terminate it first/);
    await containers.act('node001', instance, 'terminate');
    const row = await until(instance, (r) => r.state === 'terminated');
    expect(row.cleanupPending).toBe(true);
    // Its processes are gone: s6 dropped the service when it left running/.
    for (let i = 0; i < 50 && spawnSync('pgrep', ['-f', 'sleep 1000']).status === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(spawnSync('pgrep', ['-f', 'sleep 1000']).status).toBe(1);
    await containers.act('node001', instance, 'remove');
    expect(await rowOf(instance)).toBeUndefined();
    expect(existsSync(join(root, 'apps', unique))).toBe(false);
  });

  it('a terminate that comes while the service is still starting leaves nothing running', { timeout: 120_000 }, async () => {
    // Within 7 s: below s6's timeout-kill (10 s), so it is the TERM that ended it, not the KILL after it.
    const gone = async (pattern: string) => {
      for (let i = 0; i < 70 && spawnSync('pgrep', ['-f', pattern]).status === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      return spawnSync('pgrep', ['-f', pattern]).status === 1;
    };
    // Three times: the TERM lands at different moments of the start (before, during and after the namespace).
    for (const delay of [0, 50, 150]) {
      const { instance } = await containers.configure('node001', manifest(`early${delay}`, `exec sleep 171${delay}`));
      await containers.act('node001', instance, 'start');
      await new Promise((resolve) => setTimeout(resolve, delay));
      await containers.act('node001', instance, 'terminate');
      const t0 = Date.now();
      expect(await gone(`sleep 171${delay}`)).toBe(true);
      console.log(`terminate ${delay} ms after start: nothing left after ${Date.now() - t0} ms`);
      await containers.act('node001', instance, 'remove');
    }
  });

  it('configure, start and scan are messages to the node\'s resident shell: no login shell (0.5 s here) per action', { timeout: 120_000 }, async () => {
    await containers.list(['node001']);
    const sessions = fleet.sessions('node001');
    const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
      const started = Date.now();
      return [await work(), Date.now() - started];
    };
    const [{ instance }, configureMs] = await timed(() => containers.configure('node001', manifest('quick', 'exit 0')));
    const [, scanMs] = await timed(() => containers.list(['node001']));
    const [, startMs] = await timed(() => containers.act('node001', instance, 'start'));
    await until(instance, (r) => r.state === 'finished');
    console.log(`slow login 0.5 s: configure ${configureMs} ms, scan ${scanMs} ms, start ${startMs} ms; new sessions on the node: ${fleet.sessions('node001') - sessions}`);
    expect(fleet.sessions('node001')).toBe(sessions);
  });

  it('the same from the CLI: configure, start, ls, trace, terminate, remove', { timeout: 120_000 }, async () => {
    const env = { ...process.env, NO_COLOR: '1', SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'), SLIPWAY_KNOWN_HOSTS: join(dir, 'known_hosts'), SLIPWAY_STATE_DIR: join(dir, 'state') };
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(packageRoot(), 'bin', 'slipway.mjs'), 'containers', ...args], { env, encoding: 'utf8', timeout: 60_000 });
    writeFileSync(join(dir, 'cli.yaml'), manifest('cli', 'echo from-cli; exit 0'));
    const configured = cli('configure', 'node001', join(dir, 'cli.yaml'));
    expect(configured.stderr).toBe('');
    const instance = /^configured (root\.cli#\d{10}) on node001/.exec(configured.stdout)![1]!;
    expect(cli('start', 'node001', instance).stdout).toBe(`${instance} on node001: started\n`);
    await until(instance, (r) => r.state === 'finished');
    expect(cli('ls', '--node', 'node001', '--state', 'finished').stdout).toMatch(new RegExp(`node001 +${instance.replace('.', '\\.')} +finished \\(cleanup\\) +return code: 0`));
    // As `treadmill trace` prints them: '<%a, %d %b %Y %H:%M:%S+0000> - <Treadmill's words>'.
    const lines = cli('trace', instance, '--node', 'node001').stdout.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\+0000 - /);
    const words = lines.map((line) => line.slice(line.indexOf(' - ') + 3));
    const uniqueId = /^[^/]+\/([A-Z2-7]{13}) configured on node001$/.exec(words[0]!)?.[1];
    expect(uniqueId).toBeDefined();
    expect(words).toEqual([
      `${instance}/${uniqueId} configured on node001`,
      `${instance}/${uniqueId}/service/web_server running`,
      `${instance}/${uniqueId}/service/web_server exited, return code: 0`,
      `${instance} finished on node001`,
    ]);
    const rounds = cli('ls', '--node', 'node001', '--rounds', '2', '--json').stdout.trim().split('\n');
    expect(rounds).toHaveLength(2);
    expect(JSON.parse(rounds[0]!)).toMatchObject({ round: 1, rows: [expect.any(Number)] });
    expect(JSON.parse(rounds[1]!)[0].rows.some((r: { instance: string }) => r.instance === instance)).toBe(true);
    expect(cli('terminate', 'node001', instance).status).toBe(0);
    expect(cli('remove', 'node001', instance).stdout).toBe(`${instance} on node001: removed\n`);
    expect(cli('ls', '--node', 'node001').stdout).not.toContain(instance);
  });
});
