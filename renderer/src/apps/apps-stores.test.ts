import { beforeEach, describe, expect, it } from 'vitest';
import { appPhases, type AppNodeState, type AppRunDetail, type AppRunSummary, type BlacklistEntry, type SlipwayEvent, type TraceLine } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { initialAppsData, selectSelectedRun, useApps } from './apps-store.js';
import { initialDefinitionsData, selectDeployNodes, selectEdited, useDefinitions } from './definitions-store.js';
import { initialTracesData, useTraces } from './traces-store.js';

const summary = (id: string, change: Partial<AppRunSummary> = {}): AppRunSummary => ({
  id, app: 'hello', definitionHash: 'abcd', startedAt: '2025-01-14T09:00:00.000Z', active: true, resultsDir: `/var/lib/slipway/state/apps/runs/${id}/results`,
  counts: { NOT_STARTED: 2, BUILDING: 0, RUNNING: 0, FINISHED: 0, FAILED: 0, STOPPED: 0 }, ...change,
});
const state = (node: string, change: Partial<AppNodeState> = {}): AppNodeState => ({
  node, status: 'NOT_STARTED', phases: Object.fromEntries(appPhases.map((p) => [p, { status: 'pending', startedAt: null, durationMs: null, message: null }])) as AppNodeState['phases'],
  home: null, platform: null, builtBy: null, receivedFrom: null, pid: null, exitCode: null, failedStep: null, error: null, stoppedWith: null, updatedAt: '2025-01-14T09:00:01.000Z', ...change,
});
const detail = (id: string): AppRunDetail => ({
  summary: summary(id), nodes: [state('n1'), state('n2')], buildTree: [],
  definition: { name: 'hello', description: '', depends: [], buildDepends: [], sources: [], build: 'cc', install: '', run: 'x', env: {}, stdin: '', sudo: false, nodes: ['n1', 'n2'], labels: [], timeouts: { upload: 300, depends: 900, build: 1800, install: 600, start: 60, stop: 10 } },
});
const entry = (node: string): BlacklistEntry => ({ node, reason: 'W: GPG error: NO_PUBKEY 1234', pattern: 'NO_PUBKEY', run: 'r1', at: '2025-01-14T09:00:02.000Z' });
const trace = (node: string, n: number, stream: TraceLine['stream'] = 'stdout'): TraceLine => ({ node, stream, n, text: `${node} line ${n}` });

let seq = 0;
const event = (e: Omit<SlipwayEvent, 'seq'>) => {
  const full = { ...e, seq: ++seq } as SlipwayEvent;
  if (full.topic === 'apps.trace') useTraces.getState().apply(full);
  else useApps.getState().apply(full);
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('apps store', () => {
  beforeEach(() => useApps.setState(initialAppsData()));

  it('loads runs and the blacklist, then follows the selected run node by node', async () => {
    fakeBackend((command) => (command === 'apps.runs' ? [summary('r1')] : command === 'apps.blacklist' ? [entry('n9')] : command === 'apps.get' ? detail('r1') : null));
    await useApps.getState().load();
    await useApps.getState().select('r1');
    expect(useApps.getState().blacklist).toEqual([entry('n9')]);
    expect(selectSelectedRun(useApps.getState())).toEqual(summary('r1'));

    const running = state('n1', { status: 'RUNNING', updatedAt: '2025-01-14T09:00:03.000Z' });
    event({ topic: 'apps.node', payload: { id: 'r1', state: running } });
    // An event older than what is held (overtaken by the snapshot) changes nothing.
    event({ topic: 'apps.node', payload: { id: 'r1', state: state('n1', { status: 'BUILDING', updatedAt: '2025-01-14T09:00:02.000Z' }) } });
    event({ topic: 'apps.node', payload: { id: 'r2', state: state('n1', { status: 'FAILED', updatedAt: '2025-01-14T09:00:09.000Z' }) } });
    event({ topic: 'apps.node', payload: { id: 'r1', state: state('n3') } });
    expect(useApps.getState().selected?.nodes?.map((n) => [n.node, n.status])).toEqual([['n1', 'RUNNING'], ['n2', 'NOT_STARTED'], ['n3', 'NOT_STARTED']]);

    event({ topic: 'apps.buildTree', payload: { id: 'r1', edge: { from: 'n1', to: 'n2' } } });
    event({ topic: 'apps.buildTree', payload: { id: 'r1', edge: { from: 'n1', to: 'n2' } } });
    expect(useApps.getState().selected?.buildTree).toEqual([{ from: 'n1', to: 'n2' }]);
    event({ topic: 'apps.run', payload: summary('r2', { startedAt: '2025-01-14T10:00:00.000Z' }) });
    event({ topic: 'apps.run', payload: summary('r1', { active: false }) });
    expect(useApps.getState().runs.map((r) => [r.id, r.active])).toEqual([['r2', true], ['r1', false]]);
    event({ topic: 'apps.blacklist', payload: [entry('n1'), entry('n2')] });
    expect(useApps.getState().blacklist.map((e) => e.node)).toEqual(['n1', 'n2']);
  });

  it('deploys and selects the new run, or hands back the field the backend named', async () => {
    fakeBackend((command) => (command === 'apps.deploy' ? { id: 'r5' } : command === 'apps.get' ? detail('r5') : null));
    expect(await useApps.getState().deploy('name: hello', ['n1'])).toEqual({ ok: true, id: 'r5' });
    await settle();
    expect(useApps.getState().selected?.id).toBe('r5');
    // The run panel brings the new run's traces into view, once.
    expect(useApps.getState().reveal).toBe('r5');
    useApps.getState().revealed();
    expect(useApps.getState().reveal).toBeNull();
    fakeBackend(() => {
      throw new BackendError('bad_request', 'not in the inventory: nope', 'nodes');
    });
    expect(await useApps.getState().deploy('name: hello', ['nope'])).toEqual({ ok: false, message: 'not in the inventory: nope', field: 'nodes' });
    expect(useApps.getState().deploying).toBe(false);
  });

  it('stops the ticked nodes, retries the failed ones and downloads, each leaving a notice', async () => {
    const requests = fakeBackend((command, payload) => {
      if (command === 'apps.get') return detail('r1');
      if (command === 'apps.stop') return { stopping: (payload as { nodes?: string[] }).nodes ?? ['n1', 'n2'] };
      if (command === 'apps.retryFailed') return { retrying: ['n2'] };
      if (command === 'apps.download') return { dir: '/var/lib/slipway/state/apps/runs/r1/results', files: 4, bytes: 2048 };
      return null;
    });
    await useApps.getState().select('r1');
    useApps.getState().toggleChecked('n2');
    await useApps.getState().stop(['n2']);
    expect(useApps.getState()).toMatchObject({ notice: { kind: 'stopped', nodes: ['n2'] }, checked: [] });
    await useApps.getState().retryFailed();
    expect(useApps.getState().notice).toEqual({ kind: 'retrying', nodes: ['n2'] });
    await useApps.getState().download();
    expect(useApps.getState().notice).toEqual({ kind: 'download', download: { dir: '/var/lib/slipway/state/apps/runs/r1/results', files: 4, bytes: 2048 } });
    await useApps.getState().unblacklist('n9');
    expect(requests.map((r) => r.command)).toEqual(['apps.get', 'apps.stop', 'apps.retryFailed', 'apps.download', 'apps.unblacklist']);
    expect(requests[1]!.payload).toEqual({ id: 'r1', nodes: ['n2'] });
  });
});

describe('traces store', () => {
  beforeEach(() => useTraces.setState(initialTracesData()));

  it('pages a run from the start, holds batches that arrive meanwhile and skips what the pages gave', async () => {
    const all = [...Array.from({ length: 6_000 }, (_, i) => trace('n1', i)), trace('n2', 0), trace('n2', 1)];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const requests = fakeBackend(async (_command, payload) => {
      const { from, count } = payload as { from: number; count: number };
      if (from > 0) await gate;
      return { lines: all.slice(from, from + count), total: all.length };
    });
    useTraces.getState().open('r1');
    await settle();
    expect(useTraces.getState()).toMatchObject({ loading: true, total: all.length });
    // Part of it is in the second page already; the rest is new.
    event({ topic: 'apps.trace', payload: { id: 'r1', lines: [trace('n2', 1), trace('n2', 2)] } });
    event({ topic: 'apps.trace', payload: { id: 'r2', lines: [trace('x', 0)] } });
    release();
    await settle();
    await settle();
    const { buffer, loading } = useTraces.getState();
    expect(loading).toBe(false);
    expect(buffer.length).toBe(6_003);
    expect(buffer.at(6_002)).toEqual(trace('n2', 2));
    expect(requests.map((r) => (r.payload as { from: number }).from)).toEqual([0, 5_000]);

    event({ topic: 'apps.trace', payload: { id: 'r1', lines: [trace('n1', 6_000)] } });
    expect(useTraces.getState().buffer.length).toBe(6_004);
  });

  it('fetches again from where it stops when a batch shows a gap', async () => {
    const all = [trace('n1', 0), trace('n1', 1), trace('n1', 2), trace('n1', 3)];
    let served = 1;
    const requests = fakeBackend((_command, payload) => {
      const { from } = payload as { from: number };
      return { lines: all.slice(from, served), total: served };
    });
    useTraces.getState().open('r1');
    await settle();
    served = 4;
    event({ topic: 'apps.trace', payload: { id: 'r1', lines: [trace('n1', 3)] } });
    await settle();
    await settle();
    expect(useTraces.getState().buffer.length).toBe(4);
    expect(requests.map((r) => (r.payload as { from: number }).from)).toEqual([0, 1]);
  });

  it('filters by one node and by streams; a new run keeps the streams and shows every node', () => {
    fakeBackend(() => ({ lines: [], total: 0 }));
    useTraces.getState().open('r1');
    useTraces.getState().showNode('n2');
    useTraces.getState().toggleStream('buildlog');
    expect(useTraces.getState().filter).toEqual({ node: 'n2', streams: ['stdout', 'stderr'] });
    useTraces.getState().toggleStream('buildlog');
    useTraces.getState().toggleStream('stdout');
    useTraces.getState().open('r2');
    expect(useTraces.getState().filter).toEqual({ node: null, streams: ['stderr', 'buildlog'] });
  });
});

describe('definitions store', () => {
  beforeEach(() => useDefinitions.setState(initialDefinitionsData()));

  const hello = 'name: hello\nrun: ./hello\nlabels: [rack1]\n';

  it('opens the first saved definition, checks it as typed and takes the targets from the backend', async () => {
    fakeBackend((command, payload) => {
      if (command === 'apps.definitions') return [{ name: 'hello', text: hello }];
      if (command === 'apps.validate') return (payload as { text: string }).text === hello ? { problems: [], nodes: ['n1', 'n2'] } : { problems: [{ field: 'nodes', message: 'not in the inventory: x' }], nodes: [] };
      return null;
    });
    await useDefinitions.getState().load();
    expect(useDefinitions.getState()).toMatchObject({ openedFrom: 'hello', text: hello, problems: [], targets: null });
    expect(selectEdited(useDefinitions.getState())).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(selectDeployNodes(useDefinitions.getState())).toEqual(['n1', 'n2']);

    useDefinitions.getState().toggleTarget('n1');
    useDefinitions.getState().toggleTarget('n3');
    expect(selectDeployNodes(useDefinitions.getState())).toEqual(['n2', 'n3']);
    useDefinitions.getState().followDefinition();
    expect(selectDeployNodes(useDefinitions.getState())).toEqual(['n1', 'n2']);

    useDefinitions.getState().setText('name: Bad Name\n');
    expect(useDefinitions.getState().problems.map((p) => p.field).sort()).toEqual(['name', 'run']);
    expect(selectEdited(useDefinitions.getState())).toBe(true);
    useDefinitions.getState().setText('name: other\nrun: x\nnodes: [x]\n');
    expect(useDefinitions.getState().problems).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(useDefinitions.getState().problems).toEqual([{ field: 'nodes', message: 'not in the inventory: x' }]);
  });

  it('saves and lists the new definition as the one open', async () => {
    const saved = [{ name: 'hello', text: hello }];
    fakeBackend((command, payload) => {
      if (command === 'apps.saveDefinition') {
        saved.push({ name: 'hello2', text: (payload as { text: string }).text });
        return { name: 'hello2' };
      }
      if (command === 'apps.definitions') return saved;
      return { problems: [], nodes: [] };
    });
    await useDefinitions.getState().load();
    useDefinitions.getState().setText(hello.replace('hello', 'hello2'));
    expect(await useDefinitions.getState().save()).toBe(true);
    expect(useDefinitions.getState()).toMatchObject({ openedFrom: 'hello2', savedAs: 'hello2' });
    expect(useDefinitions.getState().saved.map((d) => d.name)).toEqual(['hello', 'hello2']);
    expect(selectEdited(useDefinitions.getState())).toBe(false);
  });
});
