import { describe, expect, it } from 'vitest';
import { appPhases, type AppNodeState, type AppPhase, type AppStatus, type PhaseState, type TraceLine } from '../../../shared/contract/index.js';
import { buildGroups, colourIndex, failedNodes, nodeErrorText, nodeStatusText, outcomeText, phaseCell, resultOf, resultSummary, runCountsText, runOutcome, stoppableNodes } from './run-view.js';
import { TraceBuffer, noTraceFilter } from './trace-buffer.js';

const phase = (status: PhaseState['status'], message: string | null = null, durationMs: number | null = null): PhaseState => ({ status, startedAt: status === 'pending' ? null : '2025-01-14T09:00:00.000Z', durationMs, message });

/** A node that got as far as `upTo` (done before it, `last` at it, pending after). */
function node(name: string, change: Partial<AppNodeState> = {}, upTo: AppPhase = 'run', last: PhaseState['status'] = 'done'): AppNodeState {
  const reached = appPhases.indexOf(upTo);
  const phases = Object.fromEntries(appPhases.map((p, i) => [p, i < reached ? phase('done', null, 300) : i === reached ? phase(last, null, last === 'running' ? null : 300) : phase('pending')])) as AppNodeState['phases'];
  return {
    node: name, status: 'FINISHED', phases, home: `/root/slipway-apps/app-1/${name}`, platform: 'x86_64 debian 12', builtBy: null, receivedFrom: null,
    pid: 4242, exitCode: 0, failedStep: null, error: null, stoppedWith: null, updatedAt: '2025-01-14T09:00:05.000Z', ...change,
  };
}

describe('the run view', () => {
  it('marks phases a finished node never reached as not run, and says why', () => {
    const failed = node('a', { status: 'FAILED', failedStep: 'depends', error: 'blacklisted: W: GPG error', exitCode: null }, 'depends', 'failed');
    expect(phaseCell(failed, 'upload')).toMatchObject({ status: 'done', text: '0.3 s' });
    expect(phaseCell(failed, 'depends')).toMatchObject({ status: 'failed', text: 'failed' });
    expect(phaseCell(failed, 'install')).toEqual({ status: 'skipped', text: '–', detail: 'Install: not run: depends failed' });
    const skipped = node('b', { status: 'NOT_STARTED', error: 'skipped: on the blacklist since 2025-01-14T08:00:00.000Z (W: GPG error)', exitCode: null, pid: null }, 'home', 'pending');
    expect(phaseCell(skipped, 'home').detail).toBe('Home: not run: the node is on the blacklist');
    const waiting = node('c', { status: 'NOT_STARTED', exitCode: null }, 'home', 'pending');
    expect(phaseCell(waiting, 'home').status).toBe('pending');
    const running = node('d', { status: 'BUILDING', exitCode: null }, 'build', 'running');
    running.phases.build = phase('running', 'waiting for rack1-n01');
    expect(phaseCell(running, 'build')).toMatchObject({ status: 'running', text: 'waiting for rack1-n01' });
  });

  it('says who built and who received in the build cell', () => {
    expect(phaseCell(node('a', { builtBy: 'a' }), 'build').text).toBe('built here');
    expect(phaseCell(node('b', { builtBy: 'a', receivedFrom: 'c' }), 'build').text).toBe('from c');
  });

  it('gives each node a pass or fail with its reason, and counts them', () => {
    const nodes = [
      node('ok'),
      node('exit3', { exitCode: 3 }),
      node('lost', { status: 'FAILED', failedStep: 'run', error: 'lost: no answer', exitCode: null }, 'run', 'failed'),
      node('stopped', { status: 'STOPPED', stoppedWith: 'TERM', exitCode: 143 }),
      node('skipped', { status: 'NOT_STARTED', error: 'skipped: on the blacklist since x (y)', exitCode: null }, 'home', 'pending'),
      node('running', { status: 'RUNNING', exitCode: null }, 'run', 'running'),
    ];
    expect(nodes.map(resultOf)).toEqual(['passed', 'failed', 'failed', 'stopped', 'skipped', 'running']);
    expect(nodes.map(outcomeText)).toEqual([
      'exit code 0', 'exit code 3', 'failed at run: lost: no answer', 'stopped (TERM), exit code 143', 'skipped: on the blacklist since x (y)', 'run: running',
    ]);
    expect(resultSummary(nodes)).toBe('1 passed · 2 failed · 1 stopped · 1 skipped · 1 running');
    expect(failedNodes(nodes)).toEqual(['lost']);
    expect(stoppableNodes(nodes)).toEqual(['running']);
  });

  it('names each state in words, a skipped node as skipped, and shows its times as the console does', () => {
    const listed = new Date(2025, 0, 13, 8, 0, 0).toISOString();
    const skipped = node('b', { status: 'NOT_STARTED', error: `skipped: on the blacklist since ${listed} (W: GPG error)`, exitCode: null, pid: null }, 'home', 'pending');
    expect(nodeStatusText(skipped)).toBe('skipped');
    expect(nodeErrorText(skipped, new Date(2025, 0, 14, 15, 0, 0))).toBe('skipped: on the blacklist since 2025-01-13 08:00 (W: GPG error)');
    expect(outcomeText(skipped)).not.toContain(listed);
    expect(nodeStatusText(node('c', { status: 'NOT_STARTED', exitCode: null }, 'home', 'pending'))).toBe('not started');
    expect(nodeStatusText(node('d', { status: 'FAILED', exitCode: null }))).toBe('failed');
    expect(nodeErrorText(node('e'))).toBeNull();
  });

  it('calls a run failed when a node failed, partly failed beside passed ones, and done only when every node passed', () => {
    const counts = (change: Partial<Record<AppStatus, number>>) => ({ NOT_STARTED: 0, BUILDING: 0, RUNNING: 0, FINISHED: 0, FAILED: 0, STOPPED: 0, ...change });
    const run = (change: Partial<Record<AppStatus, number>>, failedExits?: number, active = false) => ({ counts: counts(change), active, ...(failedExits === undefined ? {} : { failedExits }) });
    expect(runOutcome(run({ FINISHED: 5, FAILED: 2 }))).toBe('partly failed');
    expect(runCountsText(run({ FINISHED: 5, FAILED: 2 }))).toBe('5 passed · 2 failed');
    expect(runOutcome(run({ FAILED: 3 }))).toBe('failed');
    expect(runOutcome(run({ FAILED: 1, NOT_STARTED: 1 }))).toBe('failed');
    // An application that exited with 3 failed on its node, though the node FINISHED.
    expect(runOutcome(run({ FINISHED: 3 }, 3))).toBe('failed');
    expect(runOutcome(run({ FINISHED: 3 }, 1))).toBe('partly failed');
    expect(runCountsText(run({ FINISHED: 3 }, 1))).toBe('2 passed · 1 failed');
    expect(runOutcome(run({ FINISHED: 3 }, 0))).toBe('done');
    expect(runOutcome(run({ FINISHED: 3 }))).toBe('done');
    expect(runOutcome(run({ FINISHED: 6, NOT_STARTED: 1 }))).toBe('partly done');
    expect(runCountsText(run({ FINISHED: 6, NOT_STARTED: 1 }))).toBe('6 passed · 1 not started');
    expect(runOutcome(run({ STOPPED: 3 }))).toBe('stopped');
    expect(runOutcome(run({ FINISHED: 1, STOPPED: 2 }))).toBe('stopped');
    expect(runOutcome(run({ FINISHED: 1, STOPPED: 1, FAILED: 1 }))).toBe('partly failed');
    expect(runOutcome(run({ NOT_STARTED: 2 }))).toBe('not started');
    expect(runOutcome(run({}))).toBe('not started');
    expect(runCountsText(run({}))).toBe('');
    expect(runOutcome(run({ FAILED: 1, RUNNING: 2 }, 0, true))).toBe('live');
    expect(runCountsText(run({ FAILED: 1, RUNNING: 1, BUILDING: 1 }))).toBe('1 failed · 2 running');
  });

  it('groups the build tree by builder and sender, a re-received node once', () => {
    const nodes = [
      node('n1', { builtBy: 'n1' }), node('n2', { builtBy: 'n1', receivedFrom: 'n1' }), node('n3', { builtBy: 'n1', receivedFrom: 'n1' }),
      node('n4', { builtBy: 'n1', receivedFrom: 'n2' }), node('g1', { builtBy: 'g1', platform: 'x86_64 ubuntu 22.04' }), node('g2', { builtBy: 'g1', receivedFrom: 'g1' }),
      node('b', { status: 'BUILDING', platform: 'aarch64 debian 12', exitCode: null }, 'build', 'running'),
    ];
    const edges = [{ from: 'n1', to: 'n2' }, { from: 'n1', to: 'n3' }, { from: 'g1', to: 'g2' }, { from: 'n2', to: 'n4' }, { from: 'g1', to: 'g2' }];
    expect(buildGroups(nodes, edges)).toEqual([
      { builder: 'n1', platform: 'x86_64 debian 12', building: false, fanOut: [{ from: 'n1', to: ['n2', 'n3'] }, { from: 'n2', to: ['n4'] }] },
      { builder: 'g1', platform: 'x86_64 ubuntu 22.04', building: false, fanOut: [{ from: 'g1', to: ['g2'] }] },
      { builder: 'b', platform: 'aarch64 debian 12', building: true, fanOut: [] },
    ]);
    expect([...colourIndex(nodes).values()]).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

const trace = (node: string, stream: TraceLine['stream'], n: number): TraceLine => ({ node, stream, n, text: `${node} ${stream} ${n}` });

describe('the trace buffer', () => {
  it('merges nodes in arrival order, skips what it holds and stops at a gap', () => {
    const buffer = new TraceBuffer();
    expect(buffer.append([trace('a', 'stdout', 0), trace('b', 'stdout', 0), trace('a', 'stdout', 1)])).toEqual({ added: 3, gap: false });
    expect(buffer.append([trace('a', 'stdout', 1), trace('b', 'stderr', 0)])).toEqual({ added: 1, gap: false });
    expect(buffer.append([trace('b', 'stdout', 1), trace('a', 'stdout', 5), trace('b', 'stdout', 2)])).toEqual({ added: 1, gap: true });
    expect(buffer.length).toBe(5);
    expect(buffer.at(4)).toEqual(trace('b', 'stdout', 1));
  });

  it('filters by node and stream, extending the rows as lines arrive', () => {
    const buffer = new TraceBuffer();
    buffer.append([trace('a', 'stdout', 0), trace('b', 'buildlog', 0), trace('a', 'stderr', 0)]);
    expect(buffer.rows(noTraceFilter)).toBeNull();
    const onlyA = { node: 'a', streams: ['stdout', 'stderr', 'buildlog'] as const };
    const rows = buffer.rows(onlyA);
    expect(rows).toEqual([0, 2]);
    buffer.append([trace('a', 'stdout', 1), trace('b', 'buildlog', 1)]);
    expect(buffer.rows(onlyA)).toBe(rows);
    expect(rows).toEqual([0, 2, 3]);
    expect(buffer.rows({ node: null, streams: ['buildlog'] })).toEqual([1, 4]);
    expect(buffer.rows({ node: 'a', streams: [] })).toEqual([]);
  });
});
