import { describe, expect, it } from 'vitest';
import { CellServer, CellStreamEvent, isCellApp, type CellApp } from '../../shared/contract/cells.js';
import { parseClientEvent } from '../../shared/contract/validate.js';
import { createClientContext } from '../backend/client-context.js';
import type { ClientEventsFrame, ResponseFrame } from '../../shared/contract/index.js';
import { openClientSession, type ServerFrameOut } from '../transport/client-session.js';
import { createMockBackend } from './mock-backend.js';
import { createMockCellModel } from './mock-cell-model.js';
import { createMockCells, mockLiveCell, mockUnreachableCell } from './mock-cells.js';

const epoch = 1_764_700_000;
const byState = (apps: CellApp[]) => apps.reduce<Record<string, number>>((counts, app) => ({ ...counts, [app.state]: (counts[app.state] ?? 0) + 1 }), {});

/** A connected client whose cell events are checked as the renderer checks them (the contract's zod schema). */
function client(id = 'c1') {
  const events: CellStreamEvent[] = [];
  const context = createClientContext(id, (topic, payload) => {
    const event = parseClientEvent({ topic, payload });
    if (event.topic === 'cells.delta') events.push(event.payload);
  });
  return { context, events };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the mocked cell (seeded model)', () => {
  // One 50,000-instance cell for the shape checks; smaller ones where only the behaviour matters.
  const big = createMockCellModel({ epoch });
  const rows = big.rows();

  it('has 500 servers and 50,000 instances in every state, rows as the contract has them', () => {
    expect(rows.servers).toHaveLength(500);
    expect(rows.apps).toHaveLength(50_000);
    for (const server of rows.servers) CellServer.parse(server);
    expect(rows.apps.every(isCellApp)).toBe(true);
    const counts = byState(rows.apps);
    expect(counts).toMatchObject({ running: 30_000, placed: 2000, pending: 3000 });
    expect(counts.finished! + counts.aborted! + counts.killed!).toBe(15_000);
    expect(rows.servers.filter((server) => server.state === 'down')).toHaveLength(2);
    expect(rows.servers.filter((server) => server.blackedOut !== null)).toHaveLength(1);
    // A server's count of placed apps is what the apps say (placed and running ones).
    const placed = new Map<string, number>();
    for (const app of rows.apps) if (app.state === 'placed' || app.state === 'running') placed.set(app.server!, (placed.get(app.server!) ?? 0) + 1);
    for (const server of rows.servers) expect(server.placed).toBe(placed.get(server.host) ?? 0);
    expect(rows.problems.length).toBeGreaterThan(0);
    expect(new Set(rows.apps.map((app) => app.instance)).size).toBe(50_000);
  });

  it('gives each instance a trace in time order, its text in Slipway words', () => {
    const running = rows.apps.find((app) => app.state === 'running')!;
    const trace = big.trace(running.instance);
    expect(trace.map((event) => event.type)).toEqual(['scheduled', 'configured', 'service_running']);
    expect(trace[2]!.text).toMatch(/^service \w+ running$/);
    const killed = rows.apps.find((app) => app.state === 'finished' && typeof app.exit === 'object' && app.exit!.rc > 255)!;
    expect(big.trace(killed.instance).at(-1)).toMatchObject({ type: 'finished', data: '265.9', when: killed.when });
    const counted = rows.apps.slice(0, 500).reduce((sum, app) => sum + big.trace(app.instance).length, 0);
    expect(counted).toBeGreaterThan(500);
  });

  it('is deterministic: the same seed and times give the same cell and the same changes', () => {
    const a = createMockCellModel({ epoch, seed: 7, servers: 40, instances: 2000 });
    const b = createMockCellModel({ epoch, seed: 7, servers: 40, instances: 2000 });
    const other = createMockCellModel({ epoch, seed: 8, servers: 40, instances: 2000 });
    expect(b.rows()).toEqual(a.rows());
    expect(other.rows().apps).not.toEqual(a.rows().apps);
    for (let tick = 1; tick <= 200; tick += 1) expect(b.tick(epoch + tick / 4)).toEqual(a.tick(epoch + tick / 4));
    expect(b.rows()).toEqual(a.rows());
  });

  it('changes a few dozen rows a second, keeps its size, and takes a server down and back up', () => {
    const model = createMockCellModel({ epoch, servers: 100, instances: 5000 });
    const before = model.rows();
    let appChanges = 0;
    let events = 0;
    const serverStates: string[] = [];
    const stateOf = new Map(before.servers.map((server) => [server.host, server.state]));
    const known = new Map(before.apps.map((app) => [app.instance, app]));
    // 40 s at four ticks a second.
    for (let tick = 1; tick <= 160; tick += 1) {
      const changes = model.tick(epoch + tick / 4);
      appChanges += changes.apps.upserted.length + changes.apps.removed.length;
      events += changes.events.length;
      for (const server of changes.servers.upserted) {
        if (stateOf.get(server.host) !== server.state) serverStates.push(`${tick} ${server.host} ${server.state}`);
        stateOf.set(server.host, server.state);
      }
      for (const app of changes.apps.upserted) known.set(app.instance, app);
      for (const instance of changes.apps.removed) known.delete(instance);
      for (const event of changes.events) expect(known.has(event.instance)).toBe(true);
    }
    const perSecond = appChanges / 40;
    expect(perSecond).toBeGreaterThan(20);
    expect(perSecond).toBeLessThan(120);
    expect(events).toBeGreaterThan(appChanges / 2);
    expect(model.size).toBe(5000);
    const after = model.rows();
    expect(after.apps).toHaveLength(5000);
    // The deltas applied to the first rows give the rows now.
    expect([...known.values()].sort((x, y) => (x.instance < y.instance ? -1 : 1))).toEqual([...after.apps].sort((x, y) => (x.instance < y.instance ? -1 : 1)));
    // Tick 80 takes a server down (its apps rescheduled), tick 120 brings it back; tick 160 takes another down.
    expect(serverStates.map((line) => `${line.split(' ')[0]} ${line.split(' ')[2]}`)).toEqual(['80 down', '120 up', '160 down']);
    const downs = (rows: typeof before) => rows.servers.filter((server) => server.state === 'down').length;
    expect(downs(after)).toBe(downs(before) + 1);
  });
});

describe('the mocked cells behind the contract', () => {
  it('sends the live cell as a snapshot, then numbered deltas, to each client; unsubscribing stops them', async () => {
    const cells = createMockCells({ servers: 20, instances: 1000, tickMs: 20, graceMs: 50 });
    try {
      const alice = client('alice');
      const bob = client('bob');
      const answer = await cells.handlers['cells.subscribe']({ cell: mockLiveCell }, alice.context);
      expect(answer).toEqual({ cell: mockLiveCell, seq: 1 });
      await cells.handlers['cells.subscribe']({ cell: mockLiveCell }, bob.context);
      await until('a few deltas for both', () => alice.events.length > 5 && bob.events.length > 5);
      expect(alice.events[0]).toMatchObject({ kind: 'snapshot', seq: 1, connection: { state: 'connected', stale: false } });
      for (const { events } of [alice, bob]) expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
      expect(cells.status(mockLiveCell).subscribers).toBe(2);
      // A second subscribe is a refetch: a snapshot again, numbered on.
      const again = await cells.handlers['cells.subscribe']({ cell: mockLiveCell }, alice.context);
      expect(alice.events.find((event) => event.seq === again.seq)?.kind).toBe('snapshot');
      alice.context.end();
      await cells.handlers['cells.unsubscribe']({}, bob.context);
      const sent = bob.events.length;
      await until('the cell closed after its grace period', () => cells.status(mockLiveCell).connection === null);
      expect(bob.events.length).toBe(sent);
      const list = await cells.handlers['cells.list']({});
      expect(list.map((cell) => cell.name)).toEqual([mockLiveCell, mockUnreachableCell]);
    } finally {
      cells.close();
    }
  });

  it('says the unreachable cell is unreachable, with the error, and a trace of it fails with why', async () => {
    const cells = createMockCells({ servers: 20, instances: 1000, graceMs: 50 });
    try {
      const carol = client('carol');
      await cells.handlers['cells.subscribe']({ cell: mockUnreachableCell }, carol.context);
      await until('the snapshot', () => carol.events.length === 1);
      expect(carol.events[0]).toMatchObject({ kind: 'snapshot', apps: [], connection: { state: 'unreachable', stale: false, lastGoodRead: null, error: expect.stringMatching(/zk\.unreachable\.mock\.lab:2181.*still trying/) } });
      await expect(cells.handlers['cells.trace']({ cell: mockUnreachableCell, instance: 'web.api#0000000001' })).rejects.toThrow(/no ZooKeeper session/);
      await expect(cells.handlers['cells.subscribe']({ cell: 'nowhere' }, carol.context)).rejects.toThrow(/no cell "nowhere"/);
      const trace = await cells.handlers['cells.trace']({ cell: mockLiveCell, instance: (await liveInstance(cells)) });
      expect(trace.length).toBeGreaterThan(0);
      // Removing a followed cell tells its subscribers, last.
      await cells.handlers['cells.remove']({ name: mockUnreachableCell });
      expect(carol.events.at(-1)).toMatchObject({ kind: 'delta', seq: 2, connection: { state: 'closed', error: `cell ${mockUnreachableCell} was removed` } });
    } finally {
      cells.close();
    }
  });
});

describe('the mocked backend carries cells to the console that subscribed', () => {
  it('validates the request, sends the 50,000-instance snapshot and then deltas to that console only', async () => {
    const backend = createMockBackend({ stepMs: 1, nodePollMs: 60_000, cellTickMs: 20 });
    try {
      const consoles = ['alice', 'bob'].map(() => {
        const frames: ServerFrameOut[] = [];
        const session = openClientSession(backend, (frame) => frames.push(frame));
        const cellEvents = () => frames.filter((f): f is ClientEventsFrame => f.type === 'client-events').flatMap((f) => f.events.map((e) => parseClientEvent(e)));
        let id = 0;
        const request = async (command: string, payload: unknown) => {
          const mine = ++id;
          session.receive({ type: 'request', id: mine, command, payload });
          await until(`the answer to ${command}`, () => frames.some((f) => f.type === 'response' && f.id === mine), 15_000);
          return frames.find((f): f is ResponseFrame => f.type === 'response' && f.id === mine)!;
        };
        return { session, request, cellEvents };
      });
      const [alice, bob] = consoles as [(typeof consoles)[number], (typeof consoles)[number]];
      expect(await alice.request('cells.subscribe', { cell: '' })).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'cell' } });
      expect(await alice.request('cells.subscribe', { cell: mockLiveCell })).toMatchObject({ ok: true, result: { cell: mockLiveCell, seq: 1 } });
      await until('a few deltas', () => alice.cellEvents().length > 3, 10_000);
      const [snapshot, ...deltas] = alice.cellEvents().map((event) => event.payload as CellStreamEvent);
      expect(snapshot).toMatchObject({ kind: 'snapshot', seq: 1, cell: mockLiveCell });
      expect(snapshot!.kind === 'snapshot' && snapshot!.apps.length).toBe(50_000);
      expect(deltas.map((delta) => [delta.kind, delta.seq])).toEqual(deltas.map((_, index) => ['delta', index + 2]));
      expect(bob.cellEvents()).toEqual([]);
      for (const { session } of consoles) session.close();
    } finally {
      await backend.close();
    }
  }, 30_000);
});

/** An instance of the live cell, from a snapshot as a client gets it. */
async function liveInstance(cells: ReturnType<typeof createMockCells>): Promise<string> {
  const probe = client('probe');
  await cells.handlers['cells.subscribe']({ cell: mockLiveCell }, probe.context);
  await until('the snapshot', () => probe.events.length > 0);
  probe.context.end();
  const first = probe.events[0]!;
  if (first.kind !== 'snapshot') throw new Error('no snapshot');
  return first.apps.find((app) => app.state === 'running')!.instance;
}
