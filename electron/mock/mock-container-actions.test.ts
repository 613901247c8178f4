import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { ContainerScan, type ContainerEventLine, type EventEnvelope } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createMockContainers } from './mock-containers.js';
import { deltaClient } from '../containers/test-support/delta-client.js';

const serviceMs = 3_000;

function harness() {
  const bus = new EventBus();
  const seen: EventEnvelope[] = [];
  bus.subscribe((event) => seen.push(event));
  let clock = Date.parse('2026-11-23T12:00:00Z');
  const lab = createMockContainers({ bus, now: () => clock, serviceMs });
  const h = lab.handlers;
  // A subscribed console: the scans it was sent after each action (a snapshot first, then deltas), as it holds them.
  const client = deltaClient();
  void h['containers.subscribe']({}, client.context);
  const scans = () => client.deltas().map((d) => ({ ...d.scan, rows: client.rows(d.node) }) as ContainerScan);
  const events = () => seen.filter((e) => e.topic === 'containers.events').flatMap((e) => (e.payload as { events: ContainerEventLine[] }).events);
  const rowOf = async (instance: string, node = 'rack1-n01') => (await h['containers.list']({ nodes: [node] }))[0]!.rows.find((r) => r.instance === instance);
  const texts = async (instance: string, node = 'rack1-n01') => (await h['containers.trace']({ node, instance })).map((e) => e.text);
  /** Time passes: the clock and the timers both. */
  const pass = async (ms: number) => {
    clock += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };
  const reset = () => {
    seen.length = 0;
    client.received.length = 0;
  };
  return { lab, h, seen, reset, scans, events, rowOf, texts, pass };
}

const manifest = (change: Record<string, unknown> = {}) =>
  stringify({
    name: 'web', proid: 'proid', environment: 'dev', cpu: '100%', memory: '256M', disk: '1G', image: '/srv/images/lab-node.root.img',
    services: [{ name: 'web_server', command: 'echo hello; exit 3' }], ...change,
  });

describe('mocked container actions', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('refuses a bad manifest with its first problem named by field, an unknown proid or image by name, and nodes it cannot reach', async () => {
    const { h, lab } = harness();
    const configure = (text: string, node = 'rack1-n01') => h['containers.configure']({ node, manifest: text });
    await expect(configure('name: [unclosed')).rejects.toMatchObject({ code: 'bad_request', field: '(yaml)', message: expect.stringMatching(/^\(yaml\): not valid YAML \(line 1\)/) });
    await expect(configure('just words')).rejects.toMatchObject({ code: 'bad_request', field: '(manifest)' });
    await expect(configure(manifest({ environment: 'staging' }))).rejects.toMatchObject({ code: 'bad_request', field: 'environment', message: expect.stringMatching(/^environment: /) });
    await expect(configure(manifest({ memory: 'lots' }))).rejects.toMatchObject({ field: 'memory', message: "memory: must be a size such as '100M'" });
    await expect(configure(manifest({ cpu: undefined }))).rejects.toMatchObject({ field: 'cpu' });
    await expect(configure(manifest({ services: [{ name: 'a', command: 'x' }, { name: 'b', command: 'y' }] }))).rejects.toMatchObject({
      field: 'services',
      message: 'services: one service per container (several are not supported yet)',
    });
    await expect(configure(manifest({ services: [{ name: 'a b', command: 'x' }] }))).rejects.toMatchObject({ field: 'services.0.name' });
    await expect(configure(manifest({ extra: 1 }))).rejects.toMatchObject({ code: 'bad_request' });

    await expect(configure(manifest({ proid: 'nobody2' }))).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/^configure nobody2\.web#\d{10}: proid nobody2 does not exist on this node$/) });
    await expect(configure(manifest({ image: '/srv/images/none.img' }))).rejects.toMatchObject({ code: 'failed', message: expect.stringContaining('no image file /srv/images/none.img on this node') });
    await expect(configure(manifest(), 'nope')).rejects.toMatchObject({ code: 'bad_request', field: 'node' });
    await expect(configure(manifest(), 'rack3-n07')).rejects.toMatchObject({ code: 'failed', message: 'configure on rack3-n07: connect ECONNREFUSED 10.0.3.7:22' });
    await expect(h['containers.act']({ node: 'rack1-n01', instance: 'proid.web#9999999999', action: 'start' })).rejects.toMatchObject({ code: 'bad_request', field: 'instance' });
    lab.close();
  });

  it('configure → start → the service exits 3 → finished; remove is refused until terminate; then gone, its events kept', async () => {
    const { h, lab, reset, scans, events, rowOf, texts, pass } = harness();
    await h['containers.list']({});
    reset();
    const { instance, unique } = await h['containers.configure']({ node: 'rack1-n01', manifest: manifest() });
    expect(instance).toMatch(/^proid\.web#\d{10}$/);
    expect(unique).toMatch(new RegExp(`^proid\\.web-${instance.slice(-10)}-[A-Z0-9]{13}$`));
    // Published at once, as the real service's re-scan after configure.
    expect(scans().map((s) => s.node)).toEqual(['rack1-n01']);
    for (const scan of scans()) expect(ContainerScan.safeParse(scan).success).toBe(true);
    expect(scans()[0]!.rows.at(-1)).toMatchObject({ instance, unique, state: 'configured', environment: 'dev', memory: '256M', cpu: '100%', disk: '1G', services: ['web_server'], cleanupPending: false });
    expect(events().map((e) => e.type)).toEqual(['configured']);
    expect(scans()[0]!.rows).toHaveLength(41);

    expect(await h['containers.act']({ node: 'rack1-n01', instance, action: 'start' })).toEqual({ done: 'started' });
    expect(await rowOf(instance)).toMatchObject({ state: 'running', summary: 'running' });
    await pass(serviceMs - 100);
    expect(await rowOf(instance)).toMatchObject({ state: 'running' });
    reset();
    await pass(200);
    expect(scans().map((s) => s.node)).toEqual(['rack1-n01']);
    expect(await rowOf(instance)).toMatchObject({ state: 'finished', summary: 'return code: 3', cleanupPending: true });
    expect(await texts(instance)).toEqual([expect.stringMatching(/^configured [A-Z0-9]{13}$/), 'service web_server running', 'service web_server exited: return code: 3', 'finished: return code: 3']);

    // Its running/ link stays after the service ended, as on a real node.
    await expect(h['containers.act']({ node: 'rack1-n01', instance, action: 'remove' })).rejects.toMatchObject({ code: 'failed', message: `remove ${instance}: ${unique} is still in running/: terminate it first` });
    await expect(h['containers.act']({ node: 'rack1-n01', instance, action: 'start' })).rejects.toMatchObject({ message: `start ${instance}: ${unique} has ended: configure a new one` });
    expect(await h['containers.act']({ node: 'rack1-n01', instance, action: 'terminate' })).toEqual({ done: 'terminated' });
    expect(await rowOf(instance)).toMatchObject({ state: 'terminated', summary: 'terminated', cleanupPending: true });
    reset();
    expect(await h['containers.act']({ node: 'rack1-n01', instance: unique, action: 'remove' })).toEqual({ done: 'removed' });
    expect(scans()[0]!.rows.some((r) => r.instance === instance)).toBe(false);
    expect(await rowOf(instance)).toBeUndefined();
    expect(await texts(instance)).toHaveLength(4);
    lab.close();
  });

  it('a tiny memory is killed out of memory; a server runs until stopped or terminated', async () => {
    const { h, lab, rowOf, texts, pass } = harness();
    const hog = await h['containers.configure']({ node: 'rack1-n02', manifest: manifest({ name: 'hog', memory: '1M', services: [{ name: 'hog', command: 'head -c 400000000 /dev/zero | tail' }] }) });
    await h['containers.act']({ node: 'rack1-n02', instance: hog.instance, action: 'start' });
    await pass(serviceMs);
    expect(await rowOf(hog.instance, 'rack1-n02')).toMatchObject({ state: 'killed', summary: 'out of memory', cleanupPending: true });
    expect((await texts(hog.instance, 'rack1-n02')).slice(1)).toEqual(['service hog running', 'killed, out of memory']);

    const server = (name: string) => h['containers.configure']({ node: 'rack1-n01', manifest: manifest({ name, services: [{ name: 'web_server', command: 'exec sleep 1000' }] }) });
    const stopped = await server('stopped');
    const terminated = await server('terminated');
    for (const { instance } of [stopped, terminated]) await h['containers.act']({ node: 'rack1-n01', instance, action: 'start' });
    await pass(serviceMs * 10);
    expect(await rowOf(stopped.instance)).toMatchObject({ state: 'running' });
    // The lab's own re-scans leave the operator's containers alone.
    for (let i = 0; i < 5; i++) lab.rescan();
    expect(await rowOf(stopped.instance)).toMatchObject({ state: 'running' });

    expect(await h['containers.act']({ node: 'rack1-n01', instance: stopped.instance, action: 'stop' })).toEqual({ done: 'stopped' });
    expect(await rowOf(stopped.instance)).toMatchObject({ state: 'finished', summary: 'signal: SIGTERM', cleanupPending: true });
    await h['containers.act']({ node: 'rack1-n01', instance: terminated.instance, action: 'terminate' });
    expect(await rowOf(terminated.instance)).toMatchObject({ state: 'terminated', cleanupPending: true });
    expect((await texts(terminated.instance)).slice(-2)).toEqual(['service web_server exited: signal: SIGTERM', 'finished: signal: SIGTERM']);
    // Nothing more happens to them later.
    await pass(serviceMs * 2);
    expect(await rowOf(terminated.instance)).toMatchObject({ state: 'terminated' });
    await expect(h['containers.act']({ node: 'rack1-n01', instance: terminated.instance, action: 'stop' })).rejects.toMatchObject({ code: 'failed', message: expect.stringContaining('s6-svc: fatal: unable to control') });
    lab.close();
  });

  it('acts on the lab’s own containers too, which then leave its re-scans', async () => {
    const { h, lab, rowOf } = harness();
    const [n01] = await h['containers.list']({ nodes: ['rack1-n01'] });
    const configured = n01!.rows.find((r) => r.state === 'configured')!;
    const finished = n01!.rows.find((r) => r.state === 'finished' && r.cleanupPending)!;
    const running = n01!.rows.find((r) => r.state === 'running')!;
    // Treadmill's supervisor already unlinked a seeded container that ended: it goes at once.
    expect(await h['containers.act']({ node: 'rack1-n01', instance: finished.instance, action: 'remove' })).toEqual({ done: 'removed' });
    expect(await rowOf(finished.instance)).toBeUndefined();
    await h['containers.act']({ node: 'rack1-n01', instance: configured.instance, action: 'start' });
    await h['containers.act']({ node: 'rack1-n01', instance: running.instance, action: 'stop' });
    for (let i = 0; i < 40; i++) lab.rescan();
    expect(await rowOf(configured.instance)).toMatchObject({ state: 'running' });
    expect(await rowOf(running.instance)).toMatchObject({ state: 'finished', summary: 'signal: SIGTERM', cleanupPending: true });
    await expect(h['containers.act']({ node: 'rack1-n01', instance: running.instance, action: 'remove' })).rejects.toMatchObject({ message: expect.stringContaining('is still in running/: terminate it first') });
    lab.close();
  });
});
