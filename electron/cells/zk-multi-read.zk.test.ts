import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCell } from './test-support/cell-writer.js';
import { ZkTestServer, zookeeperMissing } from './test-support/zk-server.js';
import { encodeMultiRead } from './zk-multi-read.js';
import { ZkSession, type ZkState } from './zk-session.js';
import { parseZkUrl } from './zk-url.js';

// Against a real ZooKeeper 3.8 (Debian's `zookeeper`); without it the first test fails and says why.
const missing = zookeeperMissing();

it('has a ZooKeeper to test multiRead against (Debian zookeeper, java)', () => {
  expect(missing).toBeNull();
});

it('encodes a multiRead as ZooKeeper’s jute: header, ops with their watch flag, the end marker', () => {
  const buffer = encodeMultiRead(7, [{ kind: 'data', path: '/a' }, { kind: 'children', path: '/b', watch: () => undefined }], '/cell');
  expect(buffer.readInt32BE(0)).toBe(buffer.length - 4);
  expect([buffer.readInt32BE(4), buffer.readInt32BE(8)]).toEqual([7, 22]);
  // op 1: getData (4), not done, err -1, "/cell/a", no watch.
  expect([buffer.readInt32BE(12), buffer.readUInt8(16), buffer.readInt32BE(17), buffer.readInt32BE(21)]).toEqual([4, 0, -1, 7]);
  expect(buffer.toString('utf8', 25, 32)).toBe('/cell/a');
  expect(buffer.readUInt8(32)).toBe(0);
  expect(buffer.readInt32BE(33)).toBe(8);
  expect(buffer.readUInt8(buffer.length - 19 + 9)).toBe(1);
  // The end: type -1, done, err -1.
  expect([buffer.readInt32BE(buffer.length - 9), buffer.readUInt8(buffer.length - 5), buffer.readInt32BE(buffer.length - 4)]).toEqual([-1, 1, -1]);
});

describe.skipIf(missing !== null)('many reads in one request, over a real ZooKeeper', () => {
  let server: ZkTestServer;
  let fake: FakeCell;
  let session: ZkSession;
  const releases: (() => unknown)[] = [];

  beforeAll(async () => {
    server = await ZkTestServer.start({ minSessionTimeoutMs: 1000 });
    releases.push(() => server.destroy());
    fake = await FakeCell.connect(`${server.connection}/cells/multi`);
    releases.push(() => fake.close());
    await fake.create_rootns();
    await fake.server('a.lab', { memory: '1G' });
    await fake.server('b.lab', { memory: '2G' });
    await fake.put('/servers/empty.lab', null);
    const states: ZkState[] = [];
    session = new ZkSession(parseZkUrl(server.url('/cells/multi')), { onState: (state) => states.push(state) });
    releases.push(() => session.close());
    session.start();
    for (let i = 0; i < 100 && !states.includes('connected'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(states).toContain('connected');
  }, 60_000);

  afterAll(async () => {
    for (const release of releases.reverse()) await release();
  });

  it('answers as one read each would, in order, across batches: data, empty, missing; children, missing', async () => {
    const paths = ['/servers/a.lab', '/servers/missing.lab', '/servers/b.lab', '/servers/empty.lab', '/servers/a.lab'];
    const many = await session.dataMany(paths, undefined, 2);
    const each = await Promise.all(paths.map((path) => session.data(path)));
    expect(many.map((data) => data?.toString())).toEqual(each.map((data) => data?.toString()));
    expect(many[1]).toBeUndefined();
    expect(many[3]).toHaveLength(0);
    expect(JSON.parse(many[0]!.toString())).toMatchObject({ memory: '1G' });
    const children = await session.childrenMany(['/servers', '/nowhere', '/trace']);
    expect(children[0]!.sort()).toEqual(['a.lab', 'b.lab', 'empty.lab']);
    expect(children[1]).toBeNull();
    expect(children[2]).toHaveLength(256);
  });

  it('arms each read’s watch: a data change and a new child fire it, once', async () => {
    const fired: string[] = [];
    await session.dataMany(['/servers/a.lab', '/servers/b.lab'], (path) => () => fired.push(path));
    await session.childrenMany(['/servers'], (path) => () => fired.push(`children of ${path}`));
    await fake.server('a.lab', { memory: '3G' });
    await fake.server('c.lab', { memory: '1G' });
    for (let i = 0; i < 100 && fired.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired.sort()).toEqual(['/servers/a.lab', 'children of /servers']);
    await fake.server('a.lab', { memory: '4G' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fired).toHaveLength(2);
  });
});
