import { Cancelled } from '../jobs/step-loop.js';
import { appPhases, type AppNodeState } from '../../shared/contract/apps.js';

/** Build groups: one builder per (build inputs, platform); everyone else receives along the tree. */
export interface BuildGroup {
  builder: string;
  built: Promise<void>;
  /** Nodes that have the build, in the order they got it: receiver i gets it from holders[i / 2]. */
  holders: string[];
  received: Map<string, Promise<void>>;
}

/** A stop asked for while the node was still getting ready: the node's steps end as cancelled. */
export class Stopped extends Cancelled {}

/** The node chosen to build failed before building (unreachable, bad host): not a build failure. */
export class BuilderLost extends Error {
  constructor(node: string, why: string) {
    super(`the build node ${node} failed before building (${why})`);
  }
}

export function freshNode(node: string, updatedAt = new Date().toISOString()): AppNodeState {
  const phases = Object.fromEntries(appPhases.map((phase) => [phase, { status: 'pending', startedAt: null, durationMs: null, message: null }])) as AppNodeState['phases'];
  return {
    node, status: 'NOT_STARTED', phases, home: null, platform: null, builtBy: null, receivedFrom: null,
    pid: null, exitCode: null, failedStep: null, error: null, stoppedWith: null, updatedAt,
  };
}
