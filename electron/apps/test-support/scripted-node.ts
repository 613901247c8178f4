import { StepFailure, type AppNode } from '../app-node.js';
import { matchBadHost } from '../bad-hosts.js';
import { deferred, type Deferred } from '../deferred.js';
import type { StatusReport, TraceOffset } from '../remote-scripts.js';

type Op = keyof AppNode;
type Job = StatusReport['app'];

/** How one scripted node answers; by default every step succeeds at once. */
export interface NodeScript {
  /** These operations fail with this output (a bad-host line makes it a bad host, as over SSH). */
  fail?: Partial<Record<Op, string>>;
  /** The build's lines and exit code, and how many polls it stays running. */
  build?: { lines?: string[]; exit?: number; polls?: number };
  /** The app's stdout and exit code; it runs until `finish` (or a stop). */
  stdout?: string[];
  /** Polls throw as an unreachable node does. */
  unreachable?: boolean;
  /** Operations that wait for `release(node, op)` (to stop a node in the middle of a step). */
  hold?: Op[];
}

interface NodeState {
  script: NodeScript;
  app: Job;
  appExit: number | null;
  build: Job;
  buildExit: number | null;
  buildPolls: number;
  files: Map<string, Buffer>;
  gates: Map<Op, { reached: Deferred; released: Deferred }>;
}

/**
 * Nodes that speak the application node protocol (AppNode) from a script
 * instead of a shell: each answers what a real node's scripts would, keeps
 * its pid and trace files, and records every operation, so a run is tested at
 * the level of what it asks of nodes and what it does with the answers.
 */
export class ScriptedNodes {
  /** `node op detail`, in the order the run asked. */
  readonly calls: string[] = [];
  private readonly nodes = new Map<string, NodeState>();

  constructor(scripts: Record<string, NodeScript>) {
    for (const [name, script] of Object.entries(scripts)) {
      const gates = new Map((script.hold ?? []).map((op) => [op, { reached: deferred(), released: deferred() }] as const));
      this.nodes.set(name, { script, app: 'none', appExit: null, build: 'none', buildExit: null, buildPolls: 0, files: new Map(), gates });
    }
  }

  private get(name: string): NodeState {
    const state = this.nodes.get(name);
    if (!state) throw new Error(`no scripted node ${name}`);
    return state;
  }

  /** Resolves when the node is held at `op`. */
  reached(name: string, op: Op): Promise<void> {
    return this.get(name).gates.get(op)!.reached.promise;
  }

  release(name: string, op: Op): void {
    this.get(name).gates.get(op)!.released.resolve();
  }

  /** The node's script changes (it becomes unreachable, say) from now on. */
  change(name: string, patch: NodeScript): void {
    Object.assign(this.get(name).script, patch);
  }

  /** The app exits with this code (its wrapper wrote it). */
  finish(name: string, exit: number): void {
    const state = this.get(name);
    state.app = 'gone';
    state.appExit = exit;
  }

  /** The operations a node was asked for, in order. */
  ops(name: string): string[] {
    return this.calls.filter((call) => call.startsWith(`${name} `)).map((call) => call.split(' ')[1]!);
  }

  private async step(name: string, op: Op, detail = ''): Promise<NodeState> {
    const state = this.get(name);
    this.calls.push(`${name} ${op}${detail ? ` ${detail}` : ''}`);
    const gate = state.gates.get(op);
    if (gate) {
      gate.reached.resolve();
      await gate.released.promise;
    }
    const failure = state.script.fail?.[op];
    if (failure !== undefined) throw new StepFailure(`${op} failed (exit 1): ${failure}`, matchBadHost(failure));
    return state;
  }

  private append(state: NodeState, file: string, lines: readonly string[]): void {
    state.files.set(file, Buffer.concat([state.files.get(file) ?? Buffer.alloc(0), Buffer.from(lines.map((line) => `${line}\n`).join(''))]));
  }

  node(name: string): AppNode {
    return {
      makeHome: async (relative) => {
        await this.step(name, 'makeHome', relative);
        return { home: `/home/${relative}`, platform: 'x86_64 debian 12' };
      },
      uploadSources: async (home, _tarball, progress) => {
        await this.step(name, 'uploadSources', home);
        progress('uploaded 100%');
      },
      installDepends: async (packages) => {
        await this.step(name, 'installDepends', packages.join(','));
        return `already installed: ${packages.join(' ')}`;
      },
      startBuild: async () => {
        const state = await this.step(name, 'startBuild');
        state.build = 'running';
        this.append(state, 'buildlog', state.script.build?.lines ?? ['compiling']);
      },
      packBuild: async () => {
        await this.step(name, 'packBuild');
      },
      copyTo: async (target, fromPath, toPath) => {
        await this.step(name, 'copyTo', `${target} ${fromPath} ${toPath}`);
        return 4096;
      },
      unpackBuild: async () => {
        await this.step(name, 'unpackBuild');
      },
      install: async () => {
        await this.step(name, 'install');
      },
      start: async () => {
        const state = await this.step(name, 'start');
        state.app = 'running';
        this.append(state, 'stdout', state.script.stdout ?? []);
        return 4242;
      },
      poll: async (_home, offsets: readonly TraceOffset[]) => {
        const state = this.get(name);
        this.calls.push(`${name} poll`);
        if (state.script.unreachable) throw new Error(`${name}: connect ECONNREFUSED`);
        if (state.build === 'running' && ++state.buildPolls > (state.script.build?.polls ?? 1)) {
          state.build = 'gone';
          state.buildExit = state.script.build?.exit ?? 0;
        }
        const chunks = offsets.flatMap(({ file, offset }) => {
          const data = state.files.get(file)?.subarray(offset) ?? Buffer.alloc(0);
          return data.length > 0 ? [{ file, offset, data }] : [];
        });
        return { noHome: false, app: state.app, build: state.build, exitCode: state.appExit, buildExit: state.buildExit, chunks };
      },
      stop: async (_home, job) => {
        const state = await this.step(name, 'stop', job);
        const running = job === 'app' ? state.app === 'running' : state.build === 'running';
        if (!running) return 'none';
        if (job === 'app') [state.app, state.appExit] = ['gone', 143];
        else [state.build, state.buildExit] = ['gone', 143];
        return 'TERM';
      },
    };
  }
}
