import { afterEach, describe, expect, it } from 'vitest';
import type { AppNodeState, EventEnvelope, PayloadOf } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { helloDefinition } from './mock-app-definitions.js';
import { createMockApps, type MockApps } from './mock-apps.js';
import { createMockNodes, type MockNodes } from './mock-nodes.js';

const defaultTargets = ['rack1-n01', 'rack1-n02', 'rack1-n03', 'rack2-n01', 'rack2-n02', 'rack3-g01', 'rack3-g02'];

function harness(speed = 0) {
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((event) => events.push(event));
  const nodes = createMockNodes({ bus });
  const apps = createMockApps({ bus, inventory: () => nodes.handlers['nodes.list']({}), speed, flushMs: 10, pollMs: 20 });
  open = { nodes, apps };
  const h = apps.handlers;
  const of = <T extends 'apps.node' | 'apps.trace' | 'apps.buildTree' | 'apps.blacklist' | 'apps.run'>(topic: T) => events.filter((e) => e.topic === topic).map((e) => e.payload as PayloadOf<T>);
  const nodesOf = async (id: string) => Object.fromEntries((await h['apps.get']({ id })).nodes.map((n) => [n.node, n])) as Record<string, AppNodeState>;
  const deployed = async (text = helloDefinition, targets?: string[]) => {
    const { id } = await h['apps.deploy'](targets ? { text, nodes: targets } : { text });
    await apps.settled(id);
    return { id, nodes: await nodesOf(id) };
  };
  /** Polls until the run's nodes satisfy `check`. */
  const until = async (id: string, check: (nodes: Record<string, AppNodeState>) => boolean) => {
    for (let i = 0; i < 400; i += 1) {
      const current = await nodesOf(id);
      if (check(current)) return current;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the run never got there');
  };
  return { h, apps, of, events, deployed, nodesOf, until };
}

let open: { nodes: MockNodes; apps: MockApps } | null = null;
afterEach(async () => {
  await open?.apps.close();
  await open?.nodes.close();
  open = null;
});

const withRun = (run: string) => helloDefinition.replace(/^run: .*$/m, `run: ${run}`);
const withEnv = (env: string) => helloDefinition.replace(/^env: .*$/m, `env: ${env}`);

describe('mock applications', () => {
  it('starts with the hello definition and one finished run of it on rack 1', async () => {
    const { h } = harness();
    expect(await h['apps.definitions']({})).toEqual([{ name: 'hello', text: helloDefinition }]);
    const runs = await h['apps.runs']({});
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ app: 'hello', active: false, counts: { FINISHED: 3, FAILED: 0, RUNNING: 0 }, resultsDir: expect.stringMatching(/^\/var\/lib\/slipway\/state\/apps\/runs\/app-\d{8}-[0-9a-f]{8}\/results$/) });
    expect(Date.now() - Date.parse(runs[0]!.startedAt)).toBeGreaterThan(19 * 3_600_000);
    const detail = await h['apps.get']({ id: runs[0]!.id });
    expect(detail.nodes.map((n) => [n.node, n.status, n.exitCode])).toEqual([['rack1-n01', 'FINISHED', 0], ['rack1-n02', 'FINISHED', 0], ['rack1-n03', 'FINISHED', 0]]);
    expect(detail.buildTree).toEqual([{ from: 'rack1-n01', to: 'rack1-n02' }, { from: 'rack1-n01', to: 'rack1-n03' }]);
    expect(detail.nodes[1]!.phases.run.durationMs).toBeGreaterThan(3_000);
    const { total } = await h['apps.traces']({ id: runs[0]!.id, from: 0, count: 10 });
    expect(total).toBeGreaterThan(100);
  });

  it('validates with field-named problems and resolves the default targets from nodes and labels', async () => {
    const { h } = harness();
    expect(await h['apps.validate']({ text: helloDefinition })).toEqual({ problems: [], nodes: defaultTargets });
    const bad = await h['apps.validate']({ text: helloDefinition.replace('name: hello', 'name: Hello World') });
    expect(bad.problems.map((p) => p.field)).toEqual(['name']);
    const unknown = await h['apps.validate']({ text: helloDefinition.replace('rack1-n03,', 'rack9-n99,') });
    expect(unknown).toEqual({ problems: [{ field: 'nodes', message: 'not in the inventory: rack9-n99' }], nodes: [] });
    await expect(h['apps.deploy']({ text: helloDefinition, nodes: ['rack1-n01', 'nope'] })).rejects.toMatchObject({ code: 'bad_request', field: 'nodes', message: 'not in the inventory: nope' });
    await expect(h['apps.deploy']({ text: 'name: x\n' })).rejects.toMatchObject({ code: 'bad_request', field: 'run' });
    await expect(h['apps.saveDefinition']({ text: 'name: Nope\nrun: x\n' })).rejects.toMatchObject({ field: 'name' });
    expect(await h['apps.saveDefinition']({ text: withRun('/bin/true').replace('name: hello', 'name: again') })).toEqual({ name: 'again' });
    expect((await h['apps.definitions']({})).map((d) => d.name)).toEqual(['again', 'hello']);
  });

  it('builds once per platform, spreads the build along a tree of two, blacklists the bad node and loses the lost one', async () => {
    const { deployed, of, h } = harness();
    const { id, nodes } = await deployed();
    expect(Object.keys(nodes)).toEqual(defaultTargets);
    const builders = Object.values(nodes).filter((n) => n.builtBy === n.node);
    expect(builders.map((n) => [n.node, n.platform])).toEqual([['rack1-n01', 'x86_64 debian 12'], ['rack3-g01', 'x86_64 ubuntu 22.04']]);
    expect(builders.every((n) => n.receivedFrom === null && n.phases.build.message === 'built here')).toBe(true);
    const { buildTree } = await h['apps.get']({ id });
    // In the order receivers got it, which the pace decides: compared as a set.
    expect(buildTree).toHaveLength(4);
    expect(buildTree).toEqual(expect.arrayContaining([
      { from: 'rack1-n01', to: 'rack1-n02' },
      { from: 'rack1-n01', to: 'rack1-n03' },
      { from: 'rack1-n02', to: 'rack2-n02' },
      { from: 'rack3-g01', to: 'rack3-g02' },
    ]));
    expect(of('apps.buildTree').filter((e) => e.id === id).map((e) => e.edge)).toEqual(buildTree);
    expect(nodes['rack2-n02']).toMatchObject({ builtBy: 'rack1-n01', receivedFrom: 'rack1-n02', status: 'FINISHED', exitCode: 0 });
    expect(nodes['rack2-n02']!.phases.build.message).toMatch(/^received from rack1-n02 \(\d+ KiB\), built on rack1-n01$/);
    expect(nodes['rack1-n01']!.phases.depends.message).toBe('installed: gcc libc6-dev');
    expect(nodes['rack1-n02']!.phases.depends.message).toBe('already installed: libc6');

    expect(nodes['rack2-n01']).toMatchObject({ status: 'FAILED', failedStep: 'depends', error: expect.stringMatching(/^blacklisted: W: GPG error: .*NO_PUBKEY 6ED0E7B82643E131$/) });
    expect(nodes['rack2-n01']!.phases.build.status).toBe('pending');
    const blacklist = await h['apps.blacklist']({});
    expect(blacklist).toEqual([{ node: 'rack2-n01', reason: expect.stringContaining('NO_PUBKEY'), pattern: expect.stringContaining('NO_PUBKEY'), run: id, at: expect.any(String) }]);
    expect(of('apps.blacklist').at(-1)).toEqual(blacklist);

    expect(nodes['rack3-g02']).toMatchObject({ status: 'FAILED', failedStep: 'run', error: expect.stringMatching(/^lost: no answer to 3 polls in a row: connect ETIMEDOUT 10\.0\.3\.22:22$/) });
    expect(nodes['rack3-g02']!.phases.run.status).toBe('failed');
    for (const name of ['rack1-n01', 'rack1-n02', 'rack1-n03', 'rack2-n02', 'rack3-g01']) {
      expect(nodes[name]).toMatchObject({ status: 'FINISHED', exitCode: 0, error: null });
      expect(Object.values(nodes[name]!.phases).map((p) => p.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'done', 'done']);
    }
    const runEvents = of('apps.run').filter((r) => r.id === id);
    expect(runEvents.at(-1)).toMatchObject({ active: false, counts: { FINISHED: 5, FAILED: 2 } });
  });

  it('streams traces from every node in batches, numbered per node and stream, and pages them with filters', async () => {
    const { deployed, of, h } = harness();
    const { id } = await deployed();
    const batches = of('apps.trace').filter((b) => b.id === id).map((b) => b.lines);
    const streamed = batches.flat();
    expect(batches.length).toBeLessThan(streamed.length / 5);
    expect(new Set(streamed.map((l) => l.node))).toEqual(new Set(defaultTargets.filter((n) => n !== 'rack2-n01')));
    expect(new Set(streamed.map((l) => l.stream))).toEqual(new Set(['stdout', 'stderr', 'buildlog']));
    expect(new Set(streamed.filter((l) => l.stream === 'buildlog').map((l) => l.node))).toEqual(new Set(['rack1-n01', 'rack3-g01']));
    for (const node of ['rack1-n02', 'rack3-g02']) {
      const out = streamed.filter((l) => l.node === node && l.stream === 'stdout');
      expect(out.map((l) => l.n)).toEqual(out.map((_, i) => i));
    }
    expect(streamed.some((l) => l.text === 'hello: rack1-n03 round 40 of 40: ok in ' + l.text.split(' ok in ')[1])).toBe(true);
    const page = await h['apps.traces']({ id, from: 0, count: 5_000 });
    expect(page).toEqual({ lines: streamed, total: streamed.length });
    const filtered = await h['apps.traces']({ id, node: 'rack1-n01', stream: 'buildlog', from: 1, count: 2 });
    expect(filtered.lines).toHaveLength(2);
    expect(filtered.lines.every((l) => l.node === 'rack1-n01' && l.stream === 'buildlog')).toBe(true);
    expect(filtered.lines[0]!.n).toBe(1);
    const download = await h['apps.download']({ id });
    expect(download).toMatchObject({ dir: expect.stringContaining(`/apps/runs/${id}/results`), files: 6 * 2 + 2 });
    expect(download.bytes).toBeGreaterThan(10_000);
  });

  it('skips a blacklisted node on the next deploy, and retries only the failed node', async () => {
    const { deployed, h, apps, nodesOf } = harness();
    await deployed();
    const second = await deployed();
    expect(second.nodes['rack2-n01']).toMatchObject({ status: 'NOT_STARTED', error: expect.stringMatching(/^skipped: on the blacklist since \S+ \(W: GPG error: .*NO_PUBKEY/) });
    expect(Object.values(second.nodes['rack2-n01']!.phases).every((p) => p.status === 'pending')).toBe(true);
    expect(second.nodes['rack3-g02']!.status).toBe('FAILED');

    expect(await h['apps.retryFailed']({ id: second.id })).toEqual({ retrying: ['rack3-g02'] });
    await apps.settled(second.id);
    const after = await nodesOf(second.id);
    expect(after['rack3-g02']).toMatchObject({ status: 'FINISHED', exitCode: 0, error: null, receivedFrom: 'rack3-g01', home: expect.stringMatching(/\/rack3-g02\.2$/) });
    for (const name of defaultTargets.filter((n) => n !== 'rack3-g02')) expect(after[name]).toEqual(second.nodes[name]);
    expect(await h['apps.retryFailed']({ id: second.id })).toEqual({ retrying: [] });

    expect(await h['apps.unblacklist']({ node: 'rack2-n01' })).toEqual({ removed: true });
    expect(await h['apps.unblacklist']({ node: 'rack2-n01' })).toEqual({ removed: false });
    expect(await h['apps.blacklist']({})).toEqual([]);
  });

  it('fails a node it cannot log into at home, with its last error', async () => {
    const { deployed } = harness();
    const { nodes } = await deployed(helloDefinition, ['rack1-n01', 'rack3-n07', 'rack4-n01']);
    expect(nodes['rack3-n07']).toMatchObject({ status: 'FAILED', failedStep: 'home', error: 'connect ECONNREFUSED 10.0.3.7:22' });
    expect(nodes['rack4-n01']).toMatchObject({ status: 'FAILED', failedStep: 'home', error: expect.stringContaining('is not known yet') });
    expect(nodes['rack1-n01']!.status).toBe('FINISHED');
  });

  it('fails the bad node without blacklisting it when its own patterns do not match', async () => {
    const { deployed, h } = harness();
    const { nodes } = await deployed(`${helloDefinition}badHostPatterns: ["No space left on device"]\n`, ['rack2-n01']);
    expect(nodes['rack2-n01']).toMatchObject({ status: 'FAILED', failedStep: 'depends', error: expect.stringMatching(/^installing depends failed \(exit 100\): W: GPG error/) });
    expect(await h['apps.blacklist']({})).toEqual([]);
  });

  it('stops selected nodes with TERM, then the rest; an application that ignores TERM is killed after the grace period', async () => {
    const { h, until } = harness(0.01);
    const { id } = await h['apps.deploy']({ text: withRun('${SOURCES}/bin/hello && sleep 600'), nodes: ['rack1-n01', 'rack1-n02', 'rack1-n03'] });
    await until(id, (nodes) => Object.values(nodes).every((n) => n.status === 'RUNNING'));
    expect(await h['apps.stop']({ id, nodes: ['rack1-n02'] })).toEqual({ stopping: ['rack1-n02'] });
    let nodes = await until(id, () => true);
    expect(nodes['rack1-n02']).toMatchObject({ status: 'STOPPED', stoppedWith: 'TERM', exitCode: 143 });
    expect(nodes['rack1-n02']!.phases.run).toMatchObject({ status: 'done', message: 'stopped (TERM), exit code 143' });
    expect(nodes['rack1-n01']!.status).toBe('RUNNING');
    expect((await h['apps.stop']({ id })).stopping.sort()).toEqual(['rack1-n01', 'rack1-n03']);
    nodes = await until(id, () => true);
    expect(Object.values(nodes).map((n) => n.stoppedWith)).toEqual(['TERM', 'TERM', 'TERM']);
    expect((await h['apps.runs']({})).find((r) => r.id === id)).toMatchObject({ active: false, counts: { STOPPED: 3 } });
    const { lines } = await h['apps.traces']({ id, node: 'rack1-n01', stream: 'stdout', from: 0, count: 5_000 });
    expect(lines.at(-1)!.text).toBe('hello: caught SIGTERM, exiting');

    const stubborn = await h['apps.deploy']({ text: withEnv('{ IGNORE_TERM: "1" }').replace(/^run: .*$/m, 'run: sleep 600'), nodes: ['rack1-n01'] });
    await until(stubborn.id, (n) => n['rack1-n01']?.status === 'RUNNING');
    await h['apps.stop']({ id: stubborn.id });
    const killed = (await until(stubborn.id, () => true))['rack1-n01']!;
    expect(killed).toMatchObject({ status: 'STOPPED', stoppedWith: 'KILL after 10 s', exitCode: 137 });
  });

  it('stops a node that is still building: receivers waiting for it fail, and nodes not started yet stop before they start', async () => {
    const { h, until, apps } = harness(0.05);
    const { id } = await h['apps.deploy']({ text: helloDefinition, nodes: ['rack1-n01', 'rack1-n02'] });
    // Whichever node reached depends first builds (as in the real service): find it by its progress.
    const building = (n: AppNodeState | undefined) => n?.status === 'BUILDING' && (n.phases.build.message ?? '').startsWith('building');
    const seen = await until(id, (n) => building(n['rack1-n01']) || building(n['rack1-n02']));
    const [builder, receiver] = building(seen['rack1-n01']) ? ['rack1-n01', 'rack1-n02'] : ['rack1-n02', 'rack1-n01'];
    await h['apps.stop']({ id, nodes: [builder] });
    await apps.settled(id);
    const nodes = await until(id, () => true);
    expect(nodes[builder]).toMatchObject({ status: 'STOPPED', stoppedWith: 'TERM', exitCode: 143 });
    expect(nodes[builder]!.phases.build.message).toBe('stopped (TERM), exit code 143');
    expect(nodes[receiver]).toMatchObject({ status: 'FAILED', failedStep: 'build', error: `the build on ${builder} failed` });
  });

  it('writes exit codes as the definition asks, and a hundred thousand lines in big batches', async () => {
    const { deployed, of, h } = harness();
    const five = ['rack1-n01', 'rack1-n02', 'rack1-n03', 'rack2-n02', 'rack3-g01'];
    const { id, nodes } = await deployed(withEnv('{ LINES: "20000", EXIT_CODE: "3" }'), five);
    expect(Object.values(nodes).map((n) => [n.status, n.exitCode])).toEqual(five.map(() => ['FINISHED', 3]));
    const { total } = await h['apps.traces']({ id, from: 0, count: 1 });
    expect(total).toBeGreaterThan(100_000);
    expect(of('apps.trace').filter((b) => b.id === id).length).toBeLessThan(200);
  });
});
