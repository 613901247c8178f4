import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppDefinition, type AppNodeState, type AppRunDetail, type BlacklistEntry, type TraceLine } from '../../shared/contract/apps.js';
import { AppRun } from './app-run.js';
import { ScriptedNodes, type NodeScript } from './test-support/scripted-node.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function runOn(scripts: Record<string, NodeScript>, definitionFields: Record<string, unknown> = {}, restored?: AppRunDetail) {
  const nodes = new ScriptedNodes(scripts);
  const listed: BlacklistEntry[] = [];
  const traced: TraceLine[] = [];
  const results = mkdtempSync(join(tmpdir(), 'slipway-app-run-'));
  dirs.push(results);
  const definition = AppDefinition.parse({ name: 'a', run: './a', build: 'make', depends: ['libc6'], ...definitionFields });
  const run = new AppRun('app-1', definition, 'h', new Date().toISOString(), { resultsDir: results, sourcesTar: '/dev/null', sourcesDigest: 'd' }, {
    node: (name) => nodes.node(name),
    blacklisted: (node) => listed.find((entry) => entry.node === node) ?? null,
    blacklist: (entry) => listed.push(entry),
    changed: () => undefined,
    traced: (_run, lines) => traced.push(...lines),
    spread: () => undefined,
    // Polled by the test, never by a timer.
    pollMs: 3_600_000,
  }, restored);
  const state = (node: string): AppNodeState => run.state(node);
  return { run, nodes, listed, traced, state };
}

const lifecycle = ['makeHome', 'uploadSources', 'installDepends'];

describe('an application run, through scripted nodes (the node protocol)', () => {
  it('builds once and spreads the build: one builder, the others receive it; every node ends running', async () => {
    const { run, nodes, state } = runOn({ n1: {}, n2: {}, n3: {}, n4: {} });
    await run.deploy(['n1', 'n2', 'n3', 'n4']);
    run.close();
    const builders = ['n1', 'n2', 'n3', 'n4'].filter((n) => nodes.ops(n).includes('startBuild'));
    expect(builders).toHaveLength(1);
    const builder = builders[0]!;
    expect(nodes.ops(builder).filter((op) => op !== 'poll' && op !== 'copyTo')).toEqual([...lifecycle, 'startBuild', 'packBuild', 'install', 'start']);
    for (const node of ['n1', 'n2', 'n3', 'n4'].filter((n) => n !== builder)) {
      expect(nodes.ops(node).filter((op) => op !== 'copyTo')).toEqual([...lifecycle, 'unpackBuild', 'install', 'start']);
      expect(state(node)).toMatchObject({ status: 'RUNNING', pid: 4242, builtBy: builder, receivedFrom: expect.any(String) });
    }
    expect(state(builder)).toMatchObject({ status: 'RUNNING', builtBy: builder, receivedFrom: null });
    // Every send is from a node that had the build, to its own home; nobody sends to more than two.
    const sends = nodes.calls.filter((call) => call.includes(' copyTo ')).map((call) => call.split(' '));
    expect(sends).toHaveLength(3);
    for (const [from, , to, fromPath, toPath] of sends) {
      expect(fromPath).toBe(`/home/app-1/${from}/build.tar.gz`);
      expect(toPath).toBe(`/home/app-1/${to}/build.tar.gz`);
    }
    const perSender = sends.reduce((m, [from]) => m.set(from!, (m.get(from!) ?? 0) + 1), new Map<string, number>());
    expect(Math.max(...perSender.values())).toBeLessThanOrEqual(2);
    expect(run.detail().buildTree).toHaveLength(3);
    // Steps timed, with what the node answered.
    expect(state(builder).phases.build).toMatchObject({ status: 'done', message: 'built here', durationMs: expect.any(Number) });
    expect(state(builder).phases.start.message).toBe('pid 4242');
  });

  it('elects another builder when the chosen one fails before building, and blacklists a bad host', async () => {
    const gpg = 'W: GPG error: http://deb.debian.org bookworm InRelease: NO_PUBKEY 0E98404D386FA1D9';
    const { run, nodes, listed, state } = runOn({ n1: { fail: { installDepends: gpg } }, n2: {}, n3: {}, n4: {} });
    await run.deploy(['n1', 'n2', 'n3', 'n4']);
    run.close();
    expect(state('n1')).toMatchObject({ status: 'FAILED', failedStep: 'depends', error: expect.stringMatching(/^blacklisted: W: GPG error/) });
    expect(listed.map((e) => [e.node, e.run])).toEqual([['n1', 'app-1']]);
    expect(['n2', 'n3', 'n4'].map((n) => state(n).status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(['n2', 'n3', 'n4'].filter((n) => nodes.ops(n).includes('startBuild'))).toHaveLength(1);
    expect(nodes.calls.filter((call) => call.startsWith('n1 copyTo'))).toEqual([]);
  });

  it('a build that exits non-zero fails its builder with the log tail, and every receiver with the builder named', async () => {
    const { run, state } = runOn({ n1: { build: { lines: ['cc main.c', 'main.c:3: error: expected ;'], exit: 2 } } , n2: {}, n3: {} }, {}, undefined);
    await run.deploy(['n1', 'n2', 'n3']);
    run.close();
    const builder = ['n1', 'n2', 'n3'].find((n) => state(n).phases.build.message?.startsWith('the build exited'));
    // n1 is the builder only if it asked first; whichever it is, its failure carries the tail of its buildlog.
    expect(builder).toBeDefined();
    expect(state(builder!)).toMatchObject({ status: 'FAILED', failedStep: 'build' });
    for (const node of ['n1', 'n2', 'n3'].filter((n) => n !== builder)) {
      expect(state(node)).toMatchObject({ status: 'FAILED', failedStep: 'build', error: `the build on ${builder} failed` });
    }
  });

  it('polls a running node to its exit code, with its traces kept in order', async () => {
    const { run, nodes, traced, state } = runOn({ n1: { stdout: ['hello', 'world'] } }, { build: '' });
    await run.deploy(['n1']);
    expect(state('n1').phases.build).toMatchObject({ status: 'skipped', message: 'no build command' });
    await run.pollRunning();
    expect(state('n1').status).toBe('RUNNING');
    expect(traced.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['hello', 'world']);
    nodes.finish('n1', 3);
    await run.pollRunning();
    run.close();
    expect(state('n1')).toMatchObject({ status: 'FINISHED', exitCode: 3 });
    expect(state('n1').phases.run).toMatchObject({ status: 'done', message: 'exit code 3' });
    expect(run.traces.page({ node: 'n1', stream: 'stdout' }, 0, 10).lines.map((l) => l.n)).toEqual([0, 1]);
  });

  it('a running node that stops answering is lost after three missed polls, not one', async () => {
    const { run, nodes, state } = runOn({ n1: {} }, { build: '' });
    await run.deploy(['n1']);
    nodes.change('n1', { unreachable: true });
    await run.pollRunning();
    await run.pollRunning();
    expect(state('n1').status).toBe('RUNNING');
    await run.pollRunning();
    run.close();
    expect(state('n1')).toMatchObject({ status: 'FAILED', failedStep: 'run', error: expect.stringMatching(/^lost: .*ECONNREFUSED/) });
  });

  it('stops a running app (TERM) and a node still getting ready (its step ends cancelled, nothing started)', async () => {
    const { run, nodes, state } = runOn({ n1: {}, n2: { hold: ['install'] } }, { build: '' });
    const deployed = run.deploy(['n1', 'n2']);
    await nodes.reached('n2', 'install');
    await expect.poll(() => state('n1').status).toBe('RUNNING');
    const stopping = await run.stop();
    expect(stopping.sort()).toEqual(['n1', 'n2']);
    nodes.release('n2', 'install');
    await deployed;
    run.close();
    expect(state('n1')).toMatchObject({ status: 'STOPPED', stoppedWith: 'TERM', exitCode: 143 });
    expect(state('n1').phases.run.message).toBe('stopped (TERM), exit code 143');
    expect(nodes.ops('n2')).not.toContain('start');
    expect(state('n2')).toMatchObject({ status: 'STOPPED', stoppedWith: 'before it started' });
    expect(state('n2').phases.start.status).toBe('pending');
  });

  it('retries only the failed nodes, each in a home of its own; the blacklisted stay skipped', async () => {
    const { run, nodes, state } = runOn({ n1: { fail: { install: 'make: *** [install] Error 1' } }, n2: {}, n3: { fail: { installDepends: 'E: Hash Sum mismatch' } } }, { build: '' });
    await run.deploy(['n1', 'n2', 'n3']);
    expect(['n1', 'n2', 'n3'].map((n) => state(n).status)).toEqual(['FAILED', 'RUNNING', 'FAILED']);
    expect(state('n1').error).toMatch(/^install failed \(exit 1\): make/);
    nodes.change('n1', { fail: {} });
    nodes.change('n3', { fail: {} });
    const { retrying, done } = run.retryFailed();
    expect(retrying.sort()).toEqual(['n1', 'n3']);
    await done;
    run.close();
    expect(state('n1').status).toBe('RUNNING');
    expect(state('n3').error).toMatch(/^skipped: on the blacklist/);
    expect(nodes.ops('n2').filter((op) => op === 'makeHome')).toHaveLength(1);
    const homes = nodes.calls.filter((call) => call.startsWith('n1 makeHome')).map((call) => call.split(' ')[2]);
    expect(homes).toHaveLength(2);
    expect(homes[1]).not.toBe(homes[0]);
  });

  it('after a restart: steps that were under way fail as interrupted, running nodes are polled again', async () => {
    const first = runOn({ n1: {}, n2: { hold: ['installDepends'] } }, { build: '' });
    const deployed = first.run.deploy(['n1', 'n2']);
    await first.nodes.reached('n2', 'installDepends');
    await expect.poll(() => first.state('n1').status).toBe('RUNNING');
    // What the service saved while the console was running, read back by the next one.
    const saved = first.run.detail();
    first.run.close();
    const second = runOn({ n1: {}, n2: {} }, { build: '' }, saved);
    second.run.resume();
    expect(second.state('n2')).toMatchObject({ status: 'FAILED', failedStep: 'depends', error: expect.stringMatching(/^interrupted by a Slipway restart/) });
    second.nodes.finish('n1', 0);
    await second.run.pollRunning();
    second.run.close();
    expect(second.state('n1')).toMatchObject({ status: 'FINISHED', exitCode: 0 });
    first.nodes.release('n2', 'installDepends');
    await deployed;
  });
});
