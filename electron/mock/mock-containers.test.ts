import { describe, expect, it } from 'vitest';
import { ContainerScan, ContainerState, type ContainerEventLine, type EventEnvelope } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createMockContainers, mockContainerCount } from './mock-containers.js';
import { deltaClient } from '../containers/test-support/delta-client.js';

function harness(count?: number) {
  const bus = new EventBus();
  const seen: EventEnvelope[] = [];
  bus.subscribe((event) => seen.push(event));
  let clock = Date.parse('2026-11-23T12:00:00Z');
  const lab = createMockContainers({ bus, ...(count === undefined ? {} : { count }), now: () => clock });
  const advance = (ms: number) => (clock += ms);
  // A subscribed console: what it holds is what each scan found.
  const client = deltaClient();
  void lab.handlers['containers.subscribe']({}, client.context);
  const scans = () => treadmillNodes.map((node) => ({ node, rows: client.rows(node), ...client.meta(node) }) as ContainerScan);
  const events = () => seen.filter((e) => e.topic === 'containers.events').map((e) => e.payload as { node: string; events: ContainerEventLine[] });
  return { lab, h: lab.handlers, advance, scans, events, seen, client };
}

const treadmillNodes = ['rack1-n01', 'rack1-n02', 'rack2-n02', 'rack3-n07'];

describe('mocked containers', () => {
  it('lists every state on three readable nodes, an unreachable one, and malformed files; refuses unknown nodes', async () => {
    const { h, client } = harness();
    const result = await h['containers.list']({});
    expect(result.map((s) => [s.node, s.rows.length, s.error])).toEqual([['rack1-n01', 40, null], ['rack1-n02', 40, null], ['rack2-n02', 40, null], ['rack3-n07', 0, 'connect ECONNREFUSED 10.0.3.7:22']]);
    for (const scan of result) expect(ContainerScan.safeParse(scan).success).toBe(true);
    // The subscribed client had each node's snapshot, then a delta for the list's scan (nothing changed).
    expect(client.snapshots().map((s) => s.node)).toEqual(treadmillNodes);
    expect(client.deltas().map((d) => [d.node, d.seq, d.added.length + d.changed.length + d.removed.length])).toEqual(treadmillNodes.map((node) => [node, 2, 0]));
    const states = new Set(result.flatMap((s) => s.rows.map((r) => r.state)));
    expect(states).toEqual(new Set(ContainerState.options));
    const summaries = new Set(result.flatMap((s) => s.rows.map((r) => r.summary)));
    for (const words of ['return code: 3', 'signal: SIGTERM', 'out of memory', 'aborted: image']) expect(summaries).toContain(words);

    const [n01, , n02] = result;
    expect(n01!.problems).toEqual([]);
    expect(n02!.root).toBe('/srv/treadmill');
    expect(n02!.problems).toEqual([expect.stringContaining('not a container name'), expect.stringContaining('is not uniqueid.service.rc.signal'), expect.stringContaining('exitinfo is not valid JSON')]);
    const damaged = n02!.rows.find((r) => r.problems.length > 0)!;
    expect(damaged).toMatchObject({ summary: 'signal: 256', exitCode: 256, signal: 256, memory: null });
    // Unique names parse as the real scan's: proid.app-<instance>-<13 characters>.
    // A placed instance has none yet (it is only in the node's cache/).
    for (const row of n01!.rows) {
      if (row.state === 'placed') expect(row.unique).toBeNull();
      else expect(row.unique).toMatch(/^[a-z0-9_-]+\.[A-Za-z0-9_.-]+-\d{10}-[A-Za-z0-9]{13}$/);
    }
    const named = result.flatMap((s) => s.rows).filter((r) => r.unique !== null);
    expect(new Set(named.map((r) => r.unique)).size).toBe(named.length);
    expect(result.flatMap((s) => s.rows)).toHaveLength(120);

    expect((await h['containers.list']({ nodes: ['rack2-n02'] })).map((s) => s.node)).toEqual(['rack2-n02']);
    await expect(h['containers.list']({ nodes: ['nope'] })).rejects.toMatchObject({ code: 'bad_request', field: 'nodes' });
  });

  it('traces each container in order, in Treadmill words', async () => {
    const { h } = harness();
    const [n01] = await h['containers.list']({});
    const trace = async (state: string) => {
      const row = n01!.rows.find((r) => r.state === state)!;
      return h['containers.trace']({ node: 'rack1-n01', instance: row.instance });
    };
    const killed = await trace('killed');
    // One service_running line per service of the app.
    expect([...new Set(killed.map((e) => e.type))]).toEqual(['scheduled', 'configured', 'service_running', 'service_exited', 'killed']);
    expect(killed[0]!.text).toBe('scheduled on rack1-n01: schedule');
    expect(killed.at(-1)!.text).toBe('killed, out of memory');
    expect((await trace('aborted')).map((e) => e.text).at(-1)).toBe('aborted: image');
    expect((await trace('configured')).map((e) => e.type)).toEqual(['scheduled', 'configured']);
    const rc3 = n01!.rows.find((r) => r.summary === 'return code: 3')!;
    const finished = await h['containers.trace']({ node: 'rack1-n01', instance: rc3.instance });
    expect(finished.slice(-2).map((e) => e.text)).toEqual([`service ${rc3.services[0]} exited: return code: 3`, 'finished: return code: 3']);
    const times = killed.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(await h['containers.trace']({ node: 'rack3-n07', instance: n01!.rows[0]!.instance })).toEqual([]);
  });

  it('re-scans move each node on: the longest-running ends, a configured one starts, one is cleaned up and replaced', async () => {
    const { lab, h, advance, scans, events, seen, client } = harness();
    const [before] = await h['containers.list']({});
    const oldestRunning = before!.rows.filter((r) => r.state === 'running').sort((a, b) => a.changedAt.localeCompare(b.changedAt))[0]!;
    seen.length = 0;
    client.received.length = 0;
    advance(5_000);
    const after = lab.rescan();
    expect(after.map((s) => s.rows.length)).toEqual([40, 40, 40, 0]);
    // The client was sent what changed only: a few rows a node, and holds what the scans found.
    expect(client.snapshots()).toEqual([]);
    const n01Delta = client.deltas('rack1-n01')[0]!;
    expect([n01Delta.added.length, n01Delta.changed.length, n01Delta.removed.length]).toEqual([1, 2, 1]);
    expect(n01Delta.changed.find((r) => r.unique === oldestRunning.unique)).toMatchObject({ state: 'finished' });
    for (const scan of after) expect(new Set(scans().find((s) => s.node === scan.node)!.rows)).toEqual(new Set(scan.rows));
    expect(client.gaps).toEqual([]);

    const now = after[0]!.rows.find((r) => r.unique === oldestRunning.unique)!;
    expect(now).toMatchObject({ state: 'finished', summary: 'return code: 0', cleanupPending: true });
    const n01Events = events().find((e) => e.node === 'rack1-n01')!.events;
    expect(n01Events.filter((e) => e.instance === oldestRunning.instance).map((e) => e.text)).toEqual([`service ${oldestRunning.services[0]} exited: return code: 0`, 'finished: return code: 0']);
    expect(n01Events.map((e) => e.type)).toEqual(expect.arrayContaining(['service_running', 'scheduled', 'configured']));
    // Each node ends its container in its own turn of endings.
    const n02Ended = after[1]!.rows.filter((r) => r.changedAt > before!.scannedAt && r.state !== 'running' && r.state !== 'configured');
    expect(n02Ended.map((r) => r.summary)).toEqual(['out of memory']);
    // The trace of the changed container holds the new events too.
    expect((await h['containers.trace']({ node: 'rack1-n01', instance: oldestRunning.instance })).at(-1)!.text).toBe('finished: return code: 0');

    const states = (rows: { state: string }[]) => rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.state]: (acc[r.state] ?? 0) + 1 }), {});
    const gone = before!.rows.filter((r) => !after[0]!.rows.some((a) => a.unique === r.unique));
    expect(gone).toHaveLength(1);
    expect(gone[0]!.cleanupPending).toBe(true);
    // Its events stay in the trace after the directory is gone.
    expect((await h['containers.trace']({ node: 'rack1-n01', instance: gone[0]!.instance })).length).toBeGreaterThan(1);
    expect(after[0]!.rows.at(-1)).toMatchObject({ state: 'configured' });
    expect(states(after[0]!.rows).running).toBe(states(before!.rows).running);
    expect(events().map((e) => e.node)).toEqual(['rack1-n01', 'rack1-n02', 'rack2-n02']);
    // The damaged container stays, with its problem.
    for (let i = 0; i < 30; i++) lab.rescan();
    expect(lab.rescan()[2]!.problems.some((p) => p.includes('exitinfo is not valid JSON'))).toBe(true);
  });

  it('follows subscriptions: a delta per scan to each subscriber, a snapshot again on a new subscribe, none after unsubscribe or disconnect', async () => {
    const { lab, h, client } = harness();
    const other = deltaClient('c2');
    await h['containers.subscribe']({ nodes: ['rack1-n02'] }, other.context);
    expect(other.snapshots().map((s) => s.node)).toEqual(['rack1-n02']);
    lab.rescan();
    expect(other.deltas().map((d) => [d.node, d.seq])).toEqual([['rack1-n02', 2]]);
    // Subscribing again is the refetch after a gap: a fresh snapshot, numbered on.
    await h['containers.subscribe']({ nodes: ['rack1-n02'] }, other.context);
    expect(other.snapshots().map((s) => s.seq)).toEqual([1, 1]);
    other.context.end();
    expect(lab.subscribers).toBe(1);
    expect(await h['containers.unsubscribe']({}, client.context)).toEqual({ unsubscribed: true });
    const before = client.received.length;
    lab.rescan();
    expect(client.received).toHaveLength(before);
    await expect(h['containers.subscribe']({}, undefined)).rejects.toThrow('needs a connected client');
    await expect(h['containers.subscribe']({ nodes: ['nope'] }, client.context)).rejects.toMatchObject({ field: 'nodes' });
    expect(mockContainerCount({ SLIPWAY_MOCK_CONTAINERS: '10000' })).toBe(10_000);
    expect(mockContainerCount({ SLIPWAY_MOCK_CONTAINERS: 'lots' })).toBeUndefined();
  });

  it('10,000 containers: a rescan sends about ten rows, under 20 KB', async () => {
    const { lab, client } = harness(10_000);
    expect(client.snapshots().map((s) => s.snapshot.rows.length)).toEqual([3334, 3333, 3333, 0]);
    client.received.length = 0;
    lab.rescan();
    const sent = client.deltas().reduce((n, d) => n + d.added.length + d.changed.length + d.removed.length, 0);
    expect(sent).toBeGreaterThan(3);
    expect(sent).toBeLessThan(20);
    expect(JSON.stringify(client.received).length).toBeLessThan(20_000);
  });

  it('spreads 10,000 containers over the readable nodes, and scans them on a timer once started', async () => {
    const { lab, h } = harness(10_000);
    const scans = await h['containers.list']({});
    expect(scans.map((s) => s.rows.length)).toEqual([3334, 3333, 3333, 0]);
    expect(new Set(scans.flatMap((s) => s.rows.map((r) => r.instance))).size).toBe(10_000);
    const bus = new EventBus();
    const timed = createMockContainers({ bus, count: 6, scanMs: 20 });
    const topics: string[] = [];
    bus.subscribe((e) => topics.push(e.topic));
    timed.start();
    await new Promise((resolve) => setTimeout(resolve, 70));
    timed.close();
    lab.close();
    expect(topics.filter((t) => t === 'containers.events').length).toBeGreaterThanOrEqual(4);
    const stopped = topics.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(topics.length).toBe(stopped);
  });
});
