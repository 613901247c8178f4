import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellStreamEvent } from '../../shared/contract/cells.js';
import { parseClientEvent } from '../../shared/contract/validate.js';
import { createClientContext } from '../backend/client-context.js';
import { createCellService, type CellService } from './cell-service.js';
import { FakeCell } from './test-support/cell-writer.js';
import { cellsLoopback, freePort, ZkTestServer, zookeeperMissing } from './test-support/zk-server.js';

// Against a real ZooKeeper 3.8 (Debian's `zookeeper`); without it the first test fails and says why.
const missing = zookeeperMissing();

it('has a ZooKeeper to test the cell service against (Debian zookeeper, java)', () => {
  expect(missing).toBeNull();
});

/** A connected client: what it receives is checked as the renderer checks it (the contract's zod schemas), in order. */
function client(id: string) {
  const events: CellStreamEvent[] = [];
  const context = createClientContext(id, (topic, payload) => {
    const event = parseClientEvent({ topic, payload });
    if (event.topic !== 'cells.delta') return;
    const last = events.filter((e) => e.cell === event.payload.cell).at(-1);
    // Numbered per client and cell, +1 each after the last snapshot (which may come again: it replaces all).
    if (last && event.payload.kind === 'delta' && event.payload.seq !== last.seq + 1) throw new Error(`${id}: ${event.payload.cell} seq ${event.payload.seq} after ${last.seq}`);
    events.push(event.payload);
  });
  /** The app rows as this client holds them: the last snapshot with the deltas after it applied. */
  const app = (cell: string, instance: string) => {
    let found: unknown;
    for (const event of events.filter((e) => e.cell === cell)) {
      if (event.kind === 'snapshot') found = event.apps.find((a) => a.instance === instance);
      else {
        const upserted = event.apps.upserted.find((a) => a.instance === instance);
        if (upserted) found = upserted;
        if (event.apps.removed.includes(instance)) found = undefined;
      }
    }
    return found as { state: string; server: string | null } | undefined;
  };
  return { context, events, app };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}

describe.skipIf(missing !== null)('the cell service over a real ZooKeeper', () => {
  let server: ZkTestServer;
  let service: CellService;
  const releases: (() => unknown)[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cell-service-'));
  releases.push(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    server = await ZkTestServer.start({ minSessionTimeoutMs: 1000 });
    releases.push(() => server.destroy());
    service = createCellService({ registryPath: join(dir, 'cells.yaml'), graceMs: 300, traceTimeoutMs: 5000, reader: { sessionTimeoutMs: 4000, connectTimeoutMs: 500 } });
    releases.push(() => service.close());
  }, 60_000);

  afterAll(async () => {
    for (const release of releases.reverse()) await release();
  });

  async function cell(name: string): Promise<FakeCell> {
    const fake = await FakeCell.connect(`${server.connection}/cells/${name}`);
    releases.push(() => fake.close());
    await fake.create_rootns();
    service.add(name, server.url(`/cells/${name}`));
    return fake;
  }

  it('shares one reader between clients: a snapshot each, then the same changes numbered per client; closed after the last leaves', async () => {
    const fake = await cell('shared');
    await fake.server('h1.lab', { cpu: '100%', disk: '100M', memory: '100M', partition: '_default', traits: [] });
    await fake.register_server('h1.lab');
    await fake.record_server_state('h1.lab', 'up', 1);
    const first = await fake.schedule('proid.first', {});
    const alice = client('alice');
    const bob = client('bob');
    expect(service.subscribe(alice.context, 'shared')).toEqual({ cell: 'shared', seq: 1 });
    await until('alice has the app', () => alice.app('shared', first)?.state === 'pending');
    service.subscribe(bob.context, 'shared');
    expect(bob.events[0]).toMatchObject({ kind: 'snapshot', seq: 1, connection: { state: 'connected', stale: false } });
    expect(bob.app('shared', first)?.state).toBe('pending');
    expect(service.openCells()).toEqual(['shared']);
    expect(service.status('shared').subscribers).toBe(2);
    const since = service.status('shared').connection!.since;

    const second = await fake.schedule('proid.second', {});
    await fake.place('h1.lab', second);
    await until('both see the second app placed', () => alice.app('shared', second)?.state === 'placed' && bob.app('shared', second)?.state === 'placed');
    expect(service.list()).toEqual([{ name: 'shared', url: server.url('/cells/shared'), connection: expect.objectContaining({ state: 'connected' }), subscribers: 2 }]);

    // A client going away is unsubscribed; the other keeps the one session.
    alice.context.end();
    expect(service.status('shared').subscribers).toBe(1);
    expect(service.unsubscribe(bob.context, 'shared')).toBe(true);
    expect(service.unsubscribe(bob.context, 'shared')).toBe(false);
    // Back within the grace period: the same reader (its connection began at the same time), a fresh snapshot.
    service.subscribe(bob.context, 'shared');
    expect(service.status('shared').connection!.since).toBe(since);
    expect(bob.events.at(-1)).toMatchObject({ kind: 'snapshot', apps: expect.arrayContaining([expect.objectContaining({ instance: second, state: 'placed' })]) });
    service.unsubscribe(bob.context);
    await until('the reader closed after the grace period', () => service.openCells().length === 0, 3000);
    const sent = bob.events.length;
    await fake.schedule('proid.unseen', {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.events.length).toBe(sent);
  });

  it('traces an instance of a cell nobody follows, then closes its session', async () => {
    const fake = await cell('traced');
    const instance = await fake.schedule('proid.traced', {});
    await fake.publish(instance, '100.5', 'master', 'scheduled', 'h1.lab:new');
    await fake.publish(instance, '99', 'h1.lab', 'pending', 'no capacity');
    const trace = await service.trace('traced', instance);
    expect(trace.map((event) => [event.when, event.type])).toEqual([
      [99, 'pending'],
      [100.5, 'scheduled'],
    ]);
    await until('the trace session closed', () => !service.openCells().includes('traced'), 3000);
    await expect(service.trace('nowhere', instance)).rejects.toThrow(/no cell "nowhere"/);
  });

  it('marks the rows stale with the last good read while ZooKeeper restarts, and fresh again after', async () => {
    const before = await (await cell('restart')).schedule('proid.before', {});
    const dave = client('dave');
    service.subscribe(dave.context, 'restart');
    releases.push(() => service.unsubscribe(dave.context));
    await until('the app before', () => dave.app('restart', before) !== undefined);
    await server.restart();
    await until('a stale delta', () => dave.events.some((e) => e.connection?.stale === true), 15_000);
    const stale = dave.events.find((e) => e.connection?.stale === true)!.connection!;
    expect(stale.state).not.toBe('connected');
    expect(stale.lastGoodRead).toBeGreaterThan(0);
    // A new writer session: node-zookeeper-client may never answer a request queued on a session across a server restart.
    const writer = await FakeCell.connect(`${server.connection}/cells/restart`);
    releases.push(() => writer.close());
    const after = await writer.schedule('proid.after', {});
    await until('fresh again with the new app', () => dave.app('restart', after) !== undefined && dave.events.at(-1)?.connection?.stale !== true && service.status('restart').connection?.stale === false, 20_000);
    expect(service.status('restart').connection).toMatchObject({ state: 'connected', stale: false });
  }, 60_000);

  it('says a cell whose ZooKeeper does not answer is unreachable, with the error, before any snapshot', async () => {
    const port = await freePort();
    service.add('dead', `zookeeper://${cellsLoopback}:${port}/treadmill`);
    const erin = client('erin');
    service.subscribe(erin.context, 'dead');
    releases.push(() => service.unsubscribe(erin.context));
    expect(erin.events[0]).toMatchObject({ kind: 'snapshot', apps: [], connection: { state: 'connecting', lastGoodRead: null, stale: false } });
    await until('unreachable', () => erin.events.some((e) => e.connection?.state === 'unreachable'), 5000);
    expect(erin.events.find((e) => e.connection?.state === 'unreachable')).toMatchObject({ kind: 'delta', connection: { error: expect.stringMatching(new RegExp(`no ZooKeeper session with ${cellsLoopback}:${port}.*still trying`)) } });
    // Removing a followed cell tells its subscribers, and forgets it.
    expect(service.remove('dead')).toBe(true);
    expect(erin.events.at(-1)).toMatchObject({ kind: 'delta', connection: { state: 'closed', error: 'cell dead was removed' } });
    expect(service.list().map((entry) => entry.name)).not.toContain('dead');
    expect(() => service.add('bad', 'zookeeper://no-port')).toThrow(/has no port/);
    expect(() => service.subscribe(erin.context, 'dead')).toThrow(/no cell "dead"/);
  });
});
