import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, FakeCell } from './test-support/cell-writer.js';
import { WatchedCell } from './test-support/cell-watch.js';
import { ZkProxy } from './test-support/zk-proxy.js';
import { cellsLoopback, ZkTestServer, zookeeperMissing } from './test-support/zk-server.js';

// Against a real ZooKeeper 3.8 (Debian's `zookeeper`); without it the first test fails and says why.
const missing = zookeeperMissing();

it('has a ZooKeeper to test against (Debian zookeeper, java)', () => {
  expect(missing).toBeNull();
});

describe.skipIf(missing !== null)('a cell read from a real ZooKeeper', () => {
  let server: ZkTestServer;
  const releases: (() => unknown)[] = [];

  beforeAll(async () => {
    server = await ZkTestServer.start({ minSessionTimeoutMs: 1000 });
    releases.push(() => server.destroy());
  }, 60_000);

  afterAll(async () => {
    for (const release of releases.reverse()) await release();
  });

  async function cell(chroot: string): Promise<FakeCell> {
    const fake = await FakeCell.connect(`${server.connection}${chroot}`);
    releases.push(() => fake.close());
    await fake.create_rootns();
    return fake;
  }

  function watch(chroot: string): WatchedCell {
    const watched = new WatchedCell(server.url(chroot));
    releases.push(() => watched.close());
    return watched;
  }

  it('reads every path family into servers, apps and trace events', async () => {
    const fake = await cell('/cells/families');
    await fake.server('s1.lab', { cpu: '400%', disk: '20480M', memory: '8192M', parent: 'rack:r1', partition: 'prod', traits: ['ssd'], up_since: 1700000000.5 });
    await fake.server('s2.lab', { cpu: '200%', disk: '10G', memory: '4096M', parent: 'rack:r1', partition: '_default', traits: [] });
    await fake.server('s3.lab', { cpu: '100%', disk: '1024M', memory: '1024M', parent: 'rack:r2', partition: '_default', traits: [] });
    await fake.register_server('s1.lab');
    await fake.register_server('s2.lab');
    await fake.record_server_state('s1.lab', 'up', 1700000001);
    await fake.record_server_state('s2.lab', 'frozen', 1700000002);
    await fake.record_server_state('s3.lab', 'up', 1700000003);
    await fake.blackout('s3.lab', 'disk failure');
    const pending = await fake.schedule('proid.pending', { memory: '100M' });
    const placed = await fake.schedule('proid.placed', { memory: '100M' });
    const running = await fake.schedule('other.running', { memory: '100M' });
    const killed = await fake.schedule('proid.killed', { memory: '100M' });
    for (const instance of [placed, running, killed]) await fake.place('s1.lab', instance);
    await fake.save_placement([[placed, null, null, 's1.lab', 0], [running, null, null, 's1.lab', 0]]);
    await fake.register_running(running, 's1.lab');
    await fake.publish(running, '9.5', 'master', 'scheduled', 's1.lab:new');
    await fake.publish(running, '10.25', 's1.lab', 'configured', '0000000ABCDEF');
    await fake.publish(running, '100.000', 's1.lab', 'service_running', '0000000ABCDEF.web');
    await fake.publish(killed, '20', 's1.lab', 'finished', '265.9');
    await fake.remove_app(killed, 's1.lab');

    const watched = watch('/cells/families');
    const snapshot = await watched.start();
    expect(snapshot.seq).toBe(1);
    expect(snapshot.connection.state).toBe('connected');
    expect(snapshot.problems).toEqual([]);
    const s1 = watched.server('s1.lab')!;
    expect(s1).toMatchObject({ present: true, state: 'up', partition: 'prod', parent: 'rack:r1', traits: ['ssd'], placed: 2, blackedOut: null });
    expect(s1.capacity).toEqual({ memory: 8192, cpu: 400, disk: 20480 });
    expect(watched.server('s2.lab')).toMatchObject({ present: true, state: 'frozen', since: 1700000002, capacity: { disk: 10240 } });
    // No presence node: down, whatever /placement last said; and blacked out.
    expect(watched.server('s3.lab')).toMatchObject({ present: false, state: 'down', blackedOut: 'disk failure' });
    expect(watched.app(pending)).toMatchObject({ state: 'pending', server: null, proid: 'proid' });
    expect(watched.app(placed)).toMatchObject({ state: 'placed', server: 's1.lab' });
    expect(watched.app(running)).toMatchObject({ state: 'running', server: 's1.lab', proid: 'other' });
    expect(watched.app(killed)).toMatchObject({ state: 'finished', server: 's1.lab', when: 20, exit: { rc: 265, signal: 9 } });
    // Sorted as numbers: '9.5' < '10.25' < '100.000', though not as strings.
    expect(watched.reader.trace(running).map((event) => event.type)).toEqual(['scheduled', 'configured', 'service_running']);
    expect(watched.reader.trace(running)[2]).toMatchObject({ when: 100, source: 's1.lab', text: 'service web running' });
    expect(snapshot.traceEvents).toBe(4);
  });

  it('marks a server down when its presence session closes, within the session timeout', async () => {
    const fake = await cell('/cells/presence');
    await fake.server('n1.lab', { cpu: '100%', disk: '100M', memory: '100M', partition: '_default', traits: [] });
    await fake.register_server('n1.lab', 2000);
    const watched = watch('/cells/presence');
    await watched.start();
    expect(watched.server('n1.lab')).toMatchObject({ present: true, state: 'up' });
    fake.nodeDown('n1.lab');
    const took = await watched.until('n1.lab down', () => watched.server('n1.lab')?.state === 'down', 2000);
    expect(took).toBeLessThan(2000);
    // Back up on a new session: a new '<host>#<seq>' node.
    await fake.register_server('n1.lab', 2000);
    await watched.until('n1.lab up again', () => watched.server('n1.lab')?.present === true);
  });

  it('a server whose node session is lost without a close goes down when ZooKeeper expires it', async () => {
    const fake = await cell('/cells/expiry');
    await fake.server('n2.lab', { cpu: '100%', disk: '100M', memory: '100M', partition: '_default', traits: [] });
    // A session of its own that stops answering: the ephemeral node stays until the server expires the session.
    const node = await connectClient(`${server.connection}/cells/expiry`, 1000);
    await new Promise<void>((resolve, reject) => node.create('/server.presence/n2.lab#', Buffer.from('{"seen": false}'), 3, (error) => (error ? reject(error) : resolve())));
    const watched = watch('/cells/expiry');
    await watched.start();
    expect(watched.server('n2.lab')?.present).toBe(true);
    // Freeze the node's socket: no more pings reach ZooKeeper, as when a machine dies.
    const manager = (node as unknown as { connectionManager: { socket: { pause(): void; write(): boolean } } }).connectionManager;
    manager.socket.write = () => true;
    manager.socket.pause();
    const took = await watched.until('n2.lab down by expiry', () => watched.server('n2.lab')?.state === 'down', 8000);
    expect(took).toBeLessThan(8000);
    node.close();
  });

  it('turns an app going pending → placed → running → finished into deltas in order, with its trace events', async () => {
    const fake = await cell('/cells/lifecycle');
    await fake.server('w1.lab', { cpu: '100%', disk: '100M', memory: '100M', partition: '_default', traits: [] });
    await fake.register_server('w1.lab');
    await fake.record_server_state('w1.lab', 'up', 1000);
    const watched = watch('/cells/lifecycle');
    await watched.start();
    const instance = await fake.schedule('proid.life', { memory: '10M' });
    await watched.until('pending', () => watched.app(instance)?.state === 'pending');
    await fake.place('w1.lab', instance);
    await fake.publish(instance, '1000.5', 'master', 'scheduled', 'w1.lab:new');
    await watched.until('placed', () => watched.app(instance)?.state === 'placed');
    await fake.register_running(instance, 'w1.lab');
    await watched.until('running', () => watched.app(instance)?.state === 'running');
    // The finished event first, then the container's presence goes: no moment where it looks merely placed.
    await fake.publish(instance, '1002.75', 'w1.lab', 'finished', '0.0');
    await fake.unregister_running(instance, 'w1.lab');
    await watched.until('finished', () => watched.app(instance)?.state === 'finished');
    expect(watched.appStates(instance).filter((state, index, all) => state !== all[index - 1])).toEqual(['pending', 'placed', 'running', 'finished']);
    expect(watched.app(instance)).toMatchObject({ server: 'w1.lab', when: 1002.75, exit: { rc: 0, signal: 0 } });
    const events = watched.deltas.flatMap((delta) => delta.events).filter((event) => event.instance === instance);
    expect(events.map((event) => event.type)).toEqual(['scheduled', 'finished']);
    expect(watched.server('w1.lab')?.placed).toBe(1);
  });

  it('lists malformed data as problems of the cell and reads the rest', async () => {
    const fake = await cell('/cells/malformed');
    await fake.raw('/servers/bad.lab', '{"cpu": "100%", ');
    await fake.server('good.lab', { cpu: '100%', disk: '100M', memory: '100M', partition: '_default', traits: [] });
    await fake.raw('/placement', Buffer.from([0x78, 0x9c, 0x01, 0x02, 0x03]));
    await fake.raw('/placement/good.lab', '{"state": "sideways", "since": 1}');
    await fake.raw('/scheduled/not-an-instance', '{}');
    await fake.raw('/finished/proid.app#0000000007', '{"state": "exploded"}');
    await fake.raw('/trace/0007/proid.app#0000000007,12.5,h,teleported,x', '');
    await fake.raw('/trace/0001/proid.app#0000000001,soon,h,deleted,', '');
    const watched = watch('/cells/malformed');
    const snapshot = await watched.start();
    const problems = Object.fromEntries(snapshot.problems.map(({ path, problem }) => [path, problem]));
    expect(problems['/servers/bad.lab']).toMatch(/neither JSON nor YAML/);
    expect(problems['/placement']).toMatch(/not valid zlib/);
    expect(problems['/placement/good.lab']).toMatch(/"sideways" is not up, down or frozen/);
    expect(problems['/scheduled/not-an-instance']).toMatch(/not an instance name/);
    expect(problems['/finished/proid.app#0000000007']).toMatch(/"exploded" is unknown/);
    expect(problems['/trace/0007/proid.app#0000000007,12.5,h,teleported,x']).toMatch(/unknown event type "teleported"/);
    expect(problems['/trace/0001/proid.app#0000000001,soon,h,deleted,']).toMatch(/"soon" is not a time/);
    expect(watched.server('good.lab')).toMatchObject({ partition: '_default' });
    // A fix clears the problem, as a delta.
    await fake.server('bad.lab', { cpu: '100%', disk: '100M', memory: '100M', partition: 'fixed', traits: [] });
    await watched.until('the fixed server', () => watched.server('bad.lab')?.partition === 'fixed');
    expect(watched.deltas.some((delta) => delta.problems.removed.includes('/servers/bad.lab'))).toBe(true);
  });

  it('refuses a chroot that does not exist, names it, and creates nothing', async () => {
    const watched = watch('/cells/nowhere');
    await expect(watched.start()).rejects.toThrow(/chroot \/cells\/nowhere does not exist/);
    expect(watched.reader.connectionState()).toMatchObject({ state: 'closed', error: expect.stringMatching(/\/cells\/nowhere/) });
    const probe = await connectClient(server.connection);
    releases.push(() => probe.close());
    const stat = await new Promise((resolve, reject) => probe.exists('/cells/nowhere', (error, found) => (error ? reject(error) : resolve(found))));
    expect(stat).toBeNull();
  });

  it('reconnects after the ZooKeeper server restarts and catches up on what changed', async () => {
    const fake = await cell('/cells/restart');
    const watched = watch('/cells/restart');
    await watched.start();
    const before = await fake.schedule('proid.before', {});
    await watched.until('the app before the restart', () => watched.app(before) !== undefined);
    await server.restart();
    await watched.until('a disconnect seen', () => watched.deltas.some((delta) => delta.connection && delta.connection.state !== 'connected'), 15_000);
    // A new writer session: node-zookeeper-client never answers a request queued on a session that expired
    // across the restart (it stays in its packet queue), which hung this test now and then under load.
    const writer = await FakeCell.connect(`${server.connection}/cells/restart`);
    releases.push(() => writer.close());
    const after = await writer.schedule('proid.after', {});
    await watched.until('connected again and the new app read', () => watched.reader.connectionState().state === 'connected' && watched.app(after) !== undefined, 20_000);
    expect(watched.app(before)?.state).toBe('pending');
    expect(watched.reader.connectionState().lastGoodRead).not.toBeNull();
  }, 60_000);

  async function behindProxy(chroot: string): Promise<{ fake: FakeCell; proxy: ZkProxy; watched: WatchedCell }> {
    const fake = await cell(chroot);
    const proxy = await ZkProxy.start(cellsLoopback, { host: server.host, port: server.port });
    releases.push(() => proxy.close());
    const watched = new WatchedCell(`zookeeper://${proxy.connection}${chroot}`, { sessionTimeoutMs: 2000 });
    releases.push(() => watched.close());
    return { fake, proxy, watched };
  }

  const untilHeld = async (proxy: ZkProxy) => {
    while (proxy.held === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  };

  it('takes its session as expired once disconnected for longer than its timeout, and reads the cell on a new one', async () => {
    const { fake, proxy, watched } = await behindProxy('/cells/lost');
    await watched.start();
    proxy.mode = 'refuse';
    proxy.cut();
    // Refused for as long as it takes: the session ends on this side, not when the server says so.
    await watched.until('the session taken as expired', () => watched.deltas.some((delta) => /taken as expired/.test(delta.connection?.error ?? '')));
    proxy.mode = 'relay';
    const instance = await fake.schedule('proid.after-lost', {});
    await watched.until('the app read on a new session', () => watched.reader.connectionState().state === 'connected' && watched.app(instance) !== undefined, 20_000);
  }, 40_000);

  it('leaves a server that takes its reconnect and never answers, and reads the cell again', async () => {
    const { fake, proxy, watched } = await behindProxy('/cells/held');
    await watched.start();
    proxy.mode = 'hold';
    proxy.cut();
    // The client's reconnect is held open and never answered: the library alone would wait on it for ever.
    await untilHeld(proxy);
    proxy.mode = 'relay';
    const instance = await fake.schedule('proid.after-held', {});
    await watched.until('the app read again', () => watched.reader.connectionState().state === 'connected' && watched.app(instance) !== undefined, 20_000);
  }, 40_000);

  it('leaves a server that takes its first connection and never answers, and connects once one answers', async () => {
    const { fake, proxy, watched } = await behindProxy('/cells/held-first');
    proxy.mode = 'hold';
    const ready = watched.start();
    await untilHeld(proxy);
    proxy.mode = 'relay';
    const instance = await fake.schedule('proid.first', {});
    await ready;
    await watched.until('the app read', () => watched.app(instance) !== undefined);
    expect(watched.reader.connectionState().state).toBe('connected');
  }, 40_000);

  it('starts a new session when its own expires, reads the cell again and says so', async () => {
    const fake = await cell('/cells/expired');
    const watched = new WatchedCell(server.url('/cells/expired'), { sessionTimeoutMs: 2000 });
    releases.push(() => watched.close());
    await watched.start();
    // The reader's socket goes silent past its session timeout: ZooKeeper expires the session.
    const socket = (watched.reader as unknown as { session: { client: { connectionManager: { socket: { write(): boolean; pause(): void; resume(): void } } } } }).session.client.connectionManager.socket;
    const write = socket.write;
    socket.write = () => true;
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 4500));
    socket.write = write;
    socket.resume();
    const instance = await fake.schedule('proid.later', {});
    await watched.until('the app read on the new session', () => watched.reader.connectionState().state === 'connected' && watched.app(instance) !== undefined, 20_000);
    expect(watched.deltas.some((delta) => /expired/.test(delta.connection?.error ?? ''))).toBe(true);
  }, 40_000);
});
