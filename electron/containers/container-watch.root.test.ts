import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { createNodeService } from '../nodes/node-service.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';
import { execaRunner } from '../process/runner.js';
import { createContainerService, type ContainerService } from './container-service.js';
import { deltaClient } from './test-support/delta-client.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/inotifywait');

/** Polls `what` until it holds (states, never fixed times: the machine may be loaded). */
async function until(what: () => boolean, seconds = 60, why: () => unknown = () => ''): Promise<void> {
  for (let i = 0; i < seconds * 20 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(what(), JSON.stringify(why())).toBe(true);
}

/** The inotifywait watching `root` (its working directory is the root): started by this test's node. */
function watcherPid(root: string): number | null {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === '/usr/bin/inotifywait' && readlinkSync(`/proc/${pid}/cwd`) === root) return Number(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return null;
}

describe.runIf(canRun)('a watched Treadmill node (real sshd, real inotifywait)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-watch-'));
  const roots = [join(dir, 'root1'), join(dir, 'root2')];
  let fleet: Fleet;
  let nodes: ReturnType<typeof createNodeService>;
  let service: ContainerService;
  beforeAll(async () => {
    execFileSync('chmod', ['755', dir]);
    for (const root of roots) execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bench', 'containers-layout.mjs'), root, '200']);
    // node002's PATH has every tool of /usr/bin but inotifywait: a node without inotify-tools.
    const tools = join(dir, 'tools');
    mkdirSync(tools);
    for (const name of readdirSync('/usr/bin')) if (!name.startsWith('inotifywa')) symlinkSync(join('/usr/bin', name), join(tools, name));
    execFileSync('chmod', ['-R', 'a+rwX', dir]);
    fleet = await startFleet({ count: 2, dir: join(dir, 'fleet'), thirdOctet: 60, firstOctet: 10, port: 2260, user: 'slipway-test', nodeEnv: (name) => (name === 'node002' ? { PATH: tools } : undefined) });
    saveInventory(
      join(dir, 'nodes.yaml'),
      fleet.nodes.map((node, i) => ({ name: node.name, host: node.host, port: node.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: [`treadmill=${roots[i]}`] })),
    );
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    nodes = createNodeService({ bus: new EventBus(), inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(dir, 'known_hosts'), pollMs: 600_000, interactive: false });
    service = createContainerService({ bus: new EventBus(), run: execaRunner, nodes: { specs: () => nodes.specs(), access: (name) => nodes.access(name) }, pollMs: 600_000 });
  }, 120_000);
  afterAll(async () => {
    service?.close();
    await nodes?.close();
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const state = (rows: { unique: string | null; state: string }[]) => new Map(rows.map((r) => [r.unique, r.state]));

  it('events lead to deltas of the folders they name; a list waits for what happened before it', { timeout: 180_000 }, async () => {
    const client = deltaClient();
    service.subscribe(client.context, ['node001']);
    await until(() => client.snapshots('node001').length === 1);
    expect(client.rows('node001')).toHaveLength(200);
    // The watcher starts after the first scan, then one shell rescan is the base its events apply to.
    await until(() => {
      if (process.env.DEBUG_WATCH) console.log(JSON.stringify(client.meta('node001')?.read));
      return client.meta('node001')?.read?.reason === 'watcher started: one shell rescan to start from';
    }, 10);
    const apps = join(roots[0]!, 'apps');
    const [first, second, third] = readdirSync(apps).sort();
    const made = 'proid.watch-0000000500-U000000000500';
    const before = client.deltas('node001').length;
    writeFileSync(join(apps, first!, 'data', 'oom'), '');
    rmSync(join(apps, second!), { recursive: true });
    mkdirSync(join(apps, made, 'data'), { recursive: true });
    // Made by root with umask 022: readable by the node's user (no chmod -R over apps/: it touches every container).
    writeFileSync(join(apps, made, 'data', 'app.json'), '{"proid":"proid","memory":"64M","services":[{"name":"web"}]}');
    // No list asked: the watcher's events bring the deltas.
    await until(() => {
      const rows = state(client.rows('node001'));
      return rows.get(first!) === 'killed' && !rows.has(second!) && rows.has(made);
    }, 60, () => [state(client.rows('node001')).get(first!), state(client.rows('node001')).has(second!), state(client.rows('node001')).get(made), client.deltas('node001').map((d) => d.scan.read)]);
    const watched = client.deltas('node001').slice(before);
    expect(watched.length).toBeGreaterThan(0);
    expect(watched.every((d) => d.scan.read?.via === 'watch')).toBe(true);
    expect(watched.reduce((sum, d) => sum + (d.scan.bytes ?? 0), 0)).toBeLessThan(4_000);
    // The new container's own directory is watched too (the watcher started again with it).
    writeFileSync(join(apps, made, 'data', 'oom'), '');
    await until(() => state(client.rows('node001')).get(made) === 'killed', 60, () => client.deltas('node001').map((d) => [d.scan.read, d.changed.map((r) => r.unique), d.added.map((r) => r.unique)]));
    // A list right after a change sees it: the watcher is synced first. (A list joins a scan already running, which
    // may have started before the change: the one the events above started is let finish first.)
    await service.list(['node001']);
    writeFileSync(join(apps, third!, 'data', 'oom'), '');
    const [now] = await service.list(['node001']);
    expect(now!.read?.via).toBe('watch');
    expect(state(now!.rows).get(third!)).toBe('killed');
    // What the watched deltas built is what a whole scan of the root reads.
    const whole = await service.scanLocal(roots[0]!);
    const key = (r: { unique: string | null; instance: string; state: string; memory: string | null }) => `${r.instance} ${r.unique} ${r.state} ${r.memory}`;
    expect(client.rows('node001').map(key).sort()).toEqual(whole.rows.map(key).sort());
    expect(client.gaps).toEqual([]);
  });

  it('an overflow of the node’s event queue: a full rescan, and why', { timeout: 180_000 }, async () => {
    const client = deltaClient('c2');
    service.subscribe(client.context, ['node001']);
    await until(() => watcherPid(roots[0]!) !== null);
    const pid = watcherPid(roots[0]!)!;
    const data = join(roots[0]!, 'apps', readdirSync(join(roots[0]!, 'apps')).sort()[5]!, 'data');
    // The watcher stopped while more events come than its queue holds (fs.inotify.max_queued_events, 16384 here).
    process.kill(pid, 'SIGSTOP');
    try {
      execFileSync('sh', ['-c', 'seq 1 20000 | sed s/^/junk/ | xargs touch'], { cwd: data });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await until(() => client.deltas('node001').some((d) => d.scan.read?.via === 'full' && /overflowed/.test(d.scan.read.reason ?? '')));
    execFileSync('sh', ['-c', 'find . -name "junk*" -delete'], { cwd: data });
    expect(client.rows('node001').length).toBeGreaterThan(190);
  });

  it('a watcher that ends: shell rescans again, and why', { timeout: 120_000 }, async () => {
    const client = deltaClient('c4');
    service.subscribe(client.context, ['node001']);
    await until(() => client.snapshots('node001').length === 1 && watcherPid(roots[0]!) !== null);
    process.kill(watcherPid(roots[0]!)!, 'SIGTERM');
    await until(() => client.deltas('node001').some((d) => d.scan.read?.via !== 'watch' && /^inotifywait ended \(exit 143\)/.test(d.scan.read?.reason ?? '')), 60, () => client.deltas('node001').map((d) => d.scan.read));
    expect(client.rows('node001').length).toBeGreaterThan(190);
  });

  it('a node without inotifywait is read by shell rescans, and each scan says why', { timeout: 120_000 }, async () => {
    const client = deltaClient('c3');
    service.subscribe(client.context, ['node002']);
    await until(() => client.snapshots('node002').length === 1);
    expect(client.rows('node002')).toHaveLength(200);
    // The watcher's try fails at once; the scans after it say so.
    let scan = (await service.list(['node002']))[0]!;
    for (let i = 0; i < 100 && ['not watched (yet)', 'the watcher is starting'].includes(scan.read?.reason ?? ''); i++) scan = (await service.list(['node002']))[0]!;
    expect(scan.read).toEqual({ via: 'delta', reason: 'inotifywait is not installed on the node (Debian: inotify-tools)' });
    const apps = join(roots[1]!, 'apps');
    const unique = readdirSync(apps).sort()[0]!;
    writeFileSync(join(apps, unique, 'data', 'oom'), '');
    const [again] = await service.list(['node002']);
    expect(state(again!.rows).get(unique)).toBe('killed');
    expect(again!.read?.via).toBe('delta');
  });
});
