import { setTimeout as sleep } from 'node:timers/promises';
import { AppStatus, type AppNodeState, type AppRunSummary } from '../../shared/contract/index.js';
import { freshNode as realFreshNode } from '../apps/node-run-state.js';

/** Pieces of a mocked application run that hold no behaviour: states, clocks, promises, failures. */

export const iso = (ms: number) => new Date(ms).toISOString();

/** The real service's fresh node, on the mock's clock. */
export const freshNode = (node: string, at: number): AppNodeState => realFreshNode(node, iso(at));

/** As the real service counts: a node in any running phase keeps the run active. */
export function summaryOf(base: Omit<AppRunSummary, 'counts' | 'active'>, states: Iterable<AppNodeState>): AppRunSummary {
  const counts = Object.fromEntries(AppStatus.options.map((status) => [status, 0])) as AppRunSummary['counts'];
  let active = false;
  let failedExits = 0;
  for (const state of states) {
    counts[state.status] += 1;
    if (state.status === 'FINISHED' && state.exitCode !== 0) failedExits += 1;
    if (state.status === 'BUILDING' || state.status === 'RUNNING' || Object.values(state.phases).some((p) => p.status === 'running')) active = true;
  }
  return { ...base, counts, failedExits, active };
}

/**
 * Each node keeps its own time: live, the wall clock; when seeding, a virtual
 * one that a pause advances at once. A receiver that waited for its sender
 * catches up with the sender's time (`reach`).
 */
export interface NodeClock {
  now(): number;
  pause(ms: number, signal: AbortSignal): Promise<void>;
  reach(at: number): void;
}

export const liveNodeClock = (): NodeClock => ({
  now: () => Date.now(),
  async pause(ms, signal) {
    if (ms > 0) await sleep(ms, undefined, { signal });
    else signal.throwIfAborted();
  },
  reach: () => undefined,
});

export function virtualNodeClock(start: number): NodeClock {
  let t = start;
  return {
    now: () => t,
    async pause(ms, signal) {
      signal.throwIfAborted();
      t += ms;
    },
    reach(at) {
      t = Math.max(t, at);
    },
  };
}

export { deferred, type Deferred } from '../apps/deferred.js';

/** A step failed on the node; `badHost` when its output matched a bad-host pattern. */
export class StepFailure extends Error {
  phase: AppNodeState['failedStep'] = null;

  constructor(
    message: string,
    readonly badHost: { line: string; pattern: string } | null = null,
  ) {
    super(message);
  }
}

/** Abort reasons: the operator stopped the node, or the backend is closing. */
export class StopRequest extends Error {}
export class Closing extends Error {}
