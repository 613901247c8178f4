import type { BadHostMatch } from './bad-hosts.js';
import type { StatusReport, TraceOffset } from './remote-scripts.js';

/**
 * What an application run asks of one node, step by step (NEPI's
 * LinuxApplication lifecycle): the node protocol, typed both ways. Over SSH
 * each operation is one script from remote-scripts.ts and its parsed answer
 * (app-node-steps.ts); tests drive a run through a scripted node instead.
 * A step that failed on the node throws StepFailure.
 */
export interface AppNode {
  /** Makes (or empties) the run's home; answers where it is and the node's platform (`x86_64 debian 12`). */
  makeHome(relative: string): Promise<{ home: string; platform: string }>;
  /** The sources (and stdin) tarball, unpacked into the home. */
  uploadSources(home: string, tarball: string, progress: (text: string) => void): Promise<void>;
  /** Installs what is missing of these packages; answers its last line. */
  installDepends(packages: readonly string[]): Promise<string>;
  /** Starts the build detached (pidfile `build-pid`, exit code `build-exit`, output `buildlog`). */
  startBuild(home: string): Promise<void>;
  /** Packs the build for the nodes that receive it instead of building. */
  packBuild(home: string): Promise<void>;
  /** Sends this node's file to another node (the build tree's edge); answers the bytes sent. */
  copyTo(target: string, fromPath: string, toPath: string): Promise<number>;
  unpackBuild(home: string): Promise<void>;
  install(home: string): Promise<void>;
  /** Starts the application detached; answers its pid. */
  start(home: string): Promise<number>;
  /** Liveness of the build and the app, their exit codes, and what each trace gained since its offset. */
  poll(home: string, offsets: readonly TraceOffset[]): Promise<StatusReport>;
  /** TERM to the job's process group, KILL after the grace period: answers `none` (had ended), `TERM` or `KILL after N s`. */
  stop(home: string, job: 'app' | 'build'): Promise<string>;
}

/** A step failed on the node; `badHost` when its output says the node itself is broken. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly badHost: BadHostMatch | null = null,
  ) {
    super(message);
  }
}
