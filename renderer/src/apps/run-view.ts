import { appPhases, type AppNodeState, type AppPhase, type AppRunSummary, type AppStatus, type PhaseState } from '../../../shared/contract/index.js';
import { formatDuration, formatTimesIn } from '../lib/format.js';

/** What the run view derives from the nodes' states: nothing here is stored. */

export type CellStatus = PhaseState['status'];

export interface PhaseCell {
  status: CellStatus;
  /** Short, for the matrix. */
  text: string;
  /** Everything known, for the tooltip. */
  detail: string;
}

export type NodeResult = 'passed' | 'failed' | 'stopped' | 'skipped' | 'running' | 'waiting';

export const phaseLabels: Record<AppPhase, string> = {
  home: 'Home', upload: 'Upload', depends: 'Depends', build: 'Build', install: 'Install', start: 'Start', run: 'Run',
};

export const statusTone: Record<AppStatus, string> = {
  NOT_STARTED: 'muted', BUILDING: 'run', RUNNING: 'run', FINISHED: 'ok', FAILED: 'bad', STOPPED: 'warn',
};

/** NEPI's states in words: no badge shows the enum. */
export const statusLabel: Record<AppStatus, string> = {
  NOT_STARTED: 'not started', BUILDING: 'building', RUNNING: 'running', FINISHED: 'finished', FAILED: 'failed', STOPPED: 'stopped',
};

/** Skipped for good: the blacklist kept it out of this run. */
export const isSkipped = (node: AppNodeState) => node.status === 'NOT_STARTED' && node.error !== null && node.error.startsWith('skipped:');

/** Its lifecycle is over: nothing pending will run any more. */
export const isOver = (node: AppNodeState) => node.status === 'FINISHED' || node.status === 'FAILED' || node.status === 'STOPPED' || isSkipped(node);

/** The node's state in a word: one the blacklist kept out is "skipped", not "not started". */
export const nodeStatusText = (node: AppNodeState) => (isSkipped(node) ? 'skipped' : statusLabel[node.status]);

/** What went wrong (or why it was skipped), its times in the console's one format rather than ISO. */
export const nodeErrorText = (node: AppNodeState, now?: Date) => (node.error === null ? null : formatTimesIn(node.error, now));

export const isActive = (node: AppNodeState) => node.status === 'BUILDING' || node.status === 'RUNNING' || appPhases.some((p) => node.phases[p].status === 'running');

function notRunBecause(node: AppNodeState): string {
  if (isSkipped(node)) return 'not run: the node is on the blacklist';
  if (node.status === 'FAILED') return `not run: ${node.failedStep ?? 'an earlier phase'} failed`;
  if (node.status === 'STOPPED') return 'not run: stopped';
  return 'not run';
}

function doneText(node: AppNodeState, phase: AppPhase, state: PhaseState): string {
  if (phase === 'build' && node.builtBy === node.node && node.receivedFrom === null) return 'built here';
  if (phase === 'build' && node.receivedFrom) return `from ${node.receivedFrom}`;
  return state.durationMs === null ? 'done' : formatDuration(state.durationMs);
}

export function phaseCell(node: AppNodeState, phase: AppPhase): PhaseCell {
  const state = node.phases[phase];
  const label = phaseLabels[phase];
  const took = state.durationMs === null ? '' : ` (${formatDuration(state.durationMs)})`;
  // A real backend leaves phases it never reached pending: once the node is over, they will not run.
  if (state.status === 'pending' && isOver(node)) return { status: 'skipped', text: '–', detail: `${label}: ${notRunBecause(node)}` };
  switch (state.status) {
    case 'running':
      return { status: 'running', text: state.message ?? 'running', detail: `${label}: running${state.message ? ` — ${state.message}` : ''}` };
    case 'done':
      return { status: 'done', text: doneText(node, phase, state), detail: `${label}: done${took}${state.message ? ` — ${state.message}` : ''}` };
    case 'failed':
      return { status: 'failed', text: 'failed', detail: `${label}: failed${took}${state.message ? ` — ${state.message}` : ''}` };
    case 'skipped':
      return { status: 'skipped', text: '–', detail: `${label}: skipped${state.message ? ` — ${state.message}` : ''}` };
    case 'pending':
      return { status: 'pending', text: '', detail: `${label}: pending` };
  }
}

export function resultOf(node: AppNodeState): NodeResult {
  if (node.status === 'FINISHED') return node.exitCode === 0 ? 'passed' : 'failed';
  if (node.status === 'FAILED') return 'failed';
  if (node.status === 'STOPPED') return 'stopped';
  if (isSkipped(node)) return 'skipped';
  if (isActive(node) || appPhases.some((p) => node.phases[p].status === 'done')) return 'running';
  return 'waiting';
}

/** One line per node: how it ended, or where it is. */
export function outcomeText(node: AppNodeState): string {
  const result = resultOf(node);
  if (node.status === 'FINISHED') return `exit code ${node.exitCode ?? 'unknown'}`;
  if (node.status === 'FAILED') return `failed at ${node.failedStep ?? 'an unknown phase'}: ${node.error ?? 'no reason given'}`;
  if (node.status === 'STOPPED') return `stopped (${node.stoppedWith ?? 'unknown'})${node.exitCode === null ? '' : `, exit code ${node.exitCode}`}`;
  if (result === 'skipped') return nodeErrorText(node) ?? 'skipped';
  if (result === 'waiting') return 'waiting to start';
  const running = appPhases.find((p) => node.phases[p].status === 'running');
  return running ? `${phaseLabels[running].toLowerCase()}: ${node.phases[running].message ?? 'running'}` : 'between phases';
}

export function resultCounts(nodes: readonly AppNodeState[]): Record<NodeResult, number> {
  const counts: Record<NodeResult, number> = { passed: 0, failed: 0, stopped: 0, skipped: 0, running: 0, waiting: 0 };
  for (const node of nodes) counts[resultOf(node)] += 1;
  return counts;
}

const resultOrder: readonly NodeResult[] = ['passed', 'failed', 'stopped', 'skipped', 'running', 'waiting'];

/** "5 passed · 2 failed": the run at a glance. */
export function resultSummary(nodes: readonly AppNodeState[]): string {
  const counts = resultCounts(nodes);
  return resultOrder.filter((result) => counts[result] > 0).map((result) => `${counts[result]} ${result}`).join(' · ');
}

/**
 * How a run went, from its summary alone (the run list has nothing else):
 * any failed node makes it "failed", or "partly failed" beside nodes that
 * passed; only a run where every node passed is "done"; a stopped one says so.
 */
export type RunOutcome = 'live' | 'done' | 'partly done' | 'failed' | 'partly failed' | 'stopped' | 'not started';

export const runOutcomeTone: Record<RunOutcome, string> = {
  live: 'run', done: 'ok', 'partly done': 'warn', failed: 'bad', 'partly failed': 'bad', stopped: 'warn', 'not started': 'muted',
};

type RunCounts = Pick<AppRunSummary, 'counts' | 'failedExits'>;

/** The run's nodes by how they went; a node that finished with an exit code other than 0 failed. */
export function runResultCounts({ counts, failedExits = 0 }: RunCounts): { passed: number; failed: number; stopped: number; running: number; 'not started': number } {
  return {
    passed: counts.FINISHED - failedExits,
    failed: counts.FAILED + failedExits,
    stopped: counts.STOPPED,
    running: counts.BUILDING + counts.RUNNING,
    'not started': counts.NOT_STARTED,
  };
}

export function runOutcome(summary: RunCounts & Pick<AppRunSummary, 'active'>): RunOutcome {
  if (summary.active) return 'live';
  const counts = runResultCounts(summary);
  if (counts.failed > 0) return counts.passed > 0 ? 'partly failed' : 'failed';
  if (counts.stopped > 0) return 'stopped';
  if (counts.passed === 0) return 'not started';
  return counts.running + counts['not started'] > 0 ? 'partly done' : 'done';
}

/** "5 passed · 2 failed": the run's counts in words, only those some node is in. */
export function runCountsText(summary: RunCounts): string {
  return Object.entries(runResultCounts(summary))
    .filter(([, count]) => count > 0)
    .map(([result, count]) => `${count} ${result}`)
    .join(' · ');
}

export interface BuildGroupView {
  builder: string;
  platform: string | null;
  /** Still building: nobody has it yet. */
  building: boolean;
  /** Who passed it to whom, senders in the order they first sent. */
  fanOut: { from: string; to: string[] }[];
}

/**
 * The build tree: one group per builder, its edges by sender. A node that
 * received twice (a retry) counts once, from its latest sender.
 */
export function buildGroups(nodes: readonly AppNodeState[], edges: readonly { from: string; to: string }[]): BuildGroupView[] {
  const byName = new Map(nodes.map((n) => [n.node, n]));
  const builders = nodes.filter((n) => n.receivedFrom === null && (n.builtBy === n.node || (n.status === 'BUILDING' && n.builtBy === null)));
  const latest = new Map<string, string>();
  for (const edge of edges) {
    latest.delete(edge.to);
    latest.set(edge.to, edge.from);
  }
  const groupOf = (name: string, seen = new Set<string>()): string | null => {
    const node = byName.get(name);
    if (node?.builtBy) return node.builtBy;
    const from = latest.get(name);
    if (from === undefined || seen.has(name)) return builders.some((b) => b.node === name) ? name : null;
    seen.add(name);
    return groupOf(from, seen);
  };
  return builders.map((builder) => {
    const fanOut: { from: string; to: string[] }[] = [];
    for (const [to, from] of latest) {
      if (groupOf(to) !== builder.node) continue;
      const entry = fanOut.find((f) => f.from === from);
      if (entry) entry.to.push(to);
      else fanOut.push({ from, to: [to] });
    }
    return { builder: builder.node, platform: builder.platform, building: builder.builtBy === null, fanOut };
  });
}

/** Each node of the run keeps one colour in the matrix and the traces. */
export const traceColours = 10;
export function colourIndex(nodes: readonly AppNodeState[]): Map<string, number> {
  return new Map(nodes.map((n, i) => [n.node, i % traceColours]));
}

export const stoppableNodes = (nodes: readonly AppNodeState[]) => nodes.filter(isActive).map((n) => n.node);
export const failedNodes = (nodes: readonly AppNodeState[]) => nodes.filter((n) => n.status === 'FAILED').map((n) => n.node);
