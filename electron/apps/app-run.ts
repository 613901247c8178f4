import { setTimeout as sleep } from 'node:timers/promises';
import { AppStatus, type AppDefinition, type AppNodeState, type AppPhase, type AppRunDetail, type AppRunSummary, type BlacklistEntry, type TraceLine, type TraceStream } from '../../shared/contract/apps.js';
import { Semaphore } from '../lib/semaphore.js';
import { StepFailure, type AppNode } from './app-node.js';
import { runStep, type JobStep } from '../jobs/step-loop.js';
import { buildKey } from './build-tree.js';
import { deferred, type Deferred } from './deferred.js';
import { BuilderLost, freshNode, Stopped, type BuildGroup } from './node-run-state.js';
import type { StatusReport } from './remote-scripts.js';
import { traceStreams, TraceStore } from './trace-store.js';

export interface AppRunDeps {
  /** The node protocol to each node (over SSH: sshAppNode). */
  node(name: string): AppNode;
  blacklisted(node: string): BlacklistEntry | null;
  blacklist(entry: BlacklistEntry): void;
  /** Every change of a node's state (persisted and published by the service). */
  changed(run: AppRun, state: AppNodeState): void;
  traced(run: AppRun, lines: TraceLine[]): void;
  spread(run: AppRun, edge: { from: string; to: string }): void;
  pollMs: number;
  /** At most this many nodes in a step at once. */
  concurrency?: number;
}

export interface RunFiles {
  resultsDir: string;
  sourcesTar: string;
  sourcesDigest: string;
}

/**
 * One deployment of an application to many nodes (NEPI's lifecycle): each
 * node independently through home, upload, depends, build (or receive),
 * install, start; then polled for status and traces until it ends. One node
 * failing never stops the others.
 */
export class AppRun {
  readonly traces: TraceStore;
  private readonly states = new Map<string, AppNodeState>();
  private readonly groups = new Map<string, BuildGroup>();
  private readonly edges: { from: string; to: string }[] = [];
  private readonly stopping = new Set<string>();
  private readonly pollFailures = new Map<string, number>();
  private readonly slots: Semaphore;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    readonly id: string,
    readonly definition: AppDefinition,
    readonly definitionHash: string,
    readonly startedAt: string,
    readonly files: RunFiles,
    private readonly deps: AppRunDeps,
    restored?: AppRunDetail,
  ) {
    this.traces = new TraceStore(files.resultsDir);
    this.slots = new Semaphore(deps.concurrency ?? 32);
    for (const state of restored?.nodes ?? []) this.states.set(state.node, state);
    this.edges.push(...(restored?.buildTree ?? []));
  }

  detail(): AppRunDetail {
    return { summary: this.summary(), definition: this.definition, nodes: [...this.states.values()], buildTree: [...this.edges] };
  }

  summary(): AppRunSummary {
    const counts = Object.fromEntries(AppStatus.options.map((status) => [status, 0])) as AppRunSummary['counts'];
    for (const state of this.states.values()) counts[state.status] += 1;
    const failedExits = [...this.states.values()].filter((s) => s.status === 'FINISHED' && s.exitCode !== 0).length;
    const active = [...this.states.values()].some((s) => s.status === 'BUILDING' || s.status === 'RUNNING' || Object.values(s.phases).some((p) => p.status === 'running'));
    return { id: this.id, app: this.definition.name, definitionHash: this.definitionHash, startedAt: this.startedAt, counts, failedExits, active, resultsDir: this.files.resultsDir };
  }

  state(node: string): AppNodeState {
    return this.states.get(node) ?? freshNode(node);
  }

  private update(node: string, patch: Partial<AppNodeState>): AppNodeState {
    const state = { ...this.state(node), ...patch, updatedAt: new Date().toISOString() };
    this.states.set(node, state);
    this.deps.changed(this, state);
    return state;
  }

  private setPhase(node: string, phase: AppPhase, patch: Partial<AppNodeState['phases'][AppPhase]>, extra: Partial<AppNodeState> = {}): void {
    const current = this.state(node);
    this.update(node, { ...extra, phases: { ...current.phases, [phase]: { ...current.phases[phase], ...patch } } });
  }

  /** A phase with its state, duration and failure recorded; a stop requested meanwhile ends the node's lifecycle. */
  private async phase<T>(
    node: string,
    phase: AppPhase,
    work: (progress: (message: string) => void) => Promise<T>,
    doneMessage?: (value: T) => string | null,
    options: { slot?: boolean } = {},
  ): Promise<T> {
    if (this.stopping.has(node)) throw new Stopped();
    const report = (patch: Partial<AppNodeState['phases'][AppPhase]>) => this.setPhase(node, phase, patch);
    // An app phase ended by a stop stays `failed` with the word `cancelled`: its node's status says the rest.
    const stepReport = ({ status, progress: _progress, ...patch }: Partial<JobStep>) =>
      report(status === 'cancelled' ? { ...patch, status: 'failed', message: 'cancelled' } : { ...patch, ...(status ? { status } : {}) });
    try {
      return await runStep(stepReport, async () => {
        // A receiver mostly waits for its sender: holding a slot meanwhile could starve the builder.
        const release = options.slot === false ? () => undefined : await this.slots.acquire();
        try {
          return await work((message) => report({ message }));
        } finally {
          release();
        }
      }, { done: doneMessage });
    } catch (error) {
      throw Object.assign(error as Error, { phase });
    }
  }

  /** Deploys to these nodes (all of them in parallel); resolves when each is running, finished or failed. */
  async deploy(nodes: readonly string[]): Promise<void> {
    this.ensurePolling();
    await Promise.all(nodes.map((node) => this.lifecycle(node)));
  }

  private async lifecycle(node: string): Promise<void> {
    const listed = this.deps.blacklisted(node);
    if (listed) {
      this.update(node, { ...freshNode(node), error: `skipped: on the blacklist since ${listed.at} (${listed.reason})` });
      return;
    }
    this.stopping.delete(node);
    // A retry gets a home of its own: what the earlier attempt left running there must not write into this one.
    const retry = this.states.has(node) ? `.${Date.now().toString(36)}` : '';
    this.update(node, freshNode(node));
    const access = this.deps.node(node);
    const { definition } = this;
    try {
      const { home, platform } = await this.phase(node, 'home', () => access.makeHome(`${this.id}/${node}${retry}`), (v) => v.home);
      this.update(node, { home, platform });
      await this.phase(node, 'upload', (progress) => access.uploadSources(home, this.files.sourcesTar, progress), () => 'sources and stdin in place');
      await this.obtainBuild(node, access, home, platform);
      await this.phase(node, 'install', () => access.install(home), () => (definition.install.trim() ? 'installed' : 'nothing to install'));
      const pid = await this.phase(node, 'start', () => access.start(home), (p) => `pid ${p}`);
      this.setPhase(node, 'run', { status: 'running', startedAt: new Date().toISOString(), message: `pid ${pid}` }, { status: 'RUNNING', pid });
    } catch (error) {
      this.failed(node, error as Error & { phase?: AppPhase });
    }
  }

  private failed(node: string, error: Error & { phase?: AppPhase }): void {
    if (error instanceof Stopped) {
      this.update(node, { status: 'STOPPED', stoppedWith: 'before it started' });
      return;
    }
    const badHost = error instanceof StepFailure ? error.badHost : null;
    if (badHost) this.deps.blacklist({ node, reason: badHost.line, pattern: badHost.pattern, run: this.id, at: new Date().toISOString() });
    this.update(node, { status: 'FAILED', failedStep: error.phase ?? null, error: badHost ? `blacklisted: ${badHost.line}` : error.message });
  }

  /**
   * depends, then the build: built here if this node is the first of its
   * group, otherwise received along the tree from a node that has it.
   */
  private async obtainBuild(node: string, access: AppNode, home: string, platform: string, dependsDone = false): Promise<void> {
    const { definition } = this;
    const key = buildKey(definition, this.files.sourcesDigest, platform);
    const existing = this.groups.get(key);
    const builds = definition.build.trim() !== '';
    const isBuilder = !existing || existing.builder === node;
    let group = existing;
    if (!group || isBuilder) {
      // First of its group, or the builder again (retry failed): a fresh promise for those who wait on it.
      const done = deferred();
      group = { builder: node, built: done.promise, holders: existing?.holders ?? [node], received: new Map([...(existing?.received ?? []), [node, done.promise]]) };
      this.groups.set(key, group);
      this.builderDone.set(node, done);
    }
    const shared: BuildGroup = group;
    // A builder that fails before it builds leaves the group: whoever waits on it elects another.
    const abandon = (error: Error) => {
      if (!isBuilder) return;
      if (this.groups.get(key) === shared) this.groups.delete(key);
      this.builderDone.get(node)?.reject(new BuilderLost(node, error.message));
    };
    const packages = isBuilder && builds ? [...(dependsDone ? [] : definition.depends), ...definition.buildDepends] : dependsDone ? [] : definition.depends;
    if (!dependsDone || packages.length > 0) {
      await this.phase(node, 'depends', () => access.installDepends(packages)).catch((error: Error) => {
        abandon(error);
        throw error;
      });
    }
    if (!builds) {
      this.setPhase(node, 'build', { status: 'skipped', message: 'no build command' });
      return;
    }
    if (isBuilder) {
      const done = this.builderDone.get(node)!;
      try {
        await this.phase(node, 'build', (progress) => this.build(node, access, home, progress), () => 'built here');
        this.update(node, { builtBy: node, receivedFrom: null });
        done.resolve();
      } catch (error) {
        if (error instanceof StepFailure) done.reject(new Error(`the build on ${node} failed`));
        else abandon(error as Error);
        throw error;
      }
      return;
    }
    // Receiver i gets it from holders[i / 2]: nobody sends to more than two.
    const index = shared.holders.length - 1;
    const from = shared.holders[Math.floor(index / 2)]!;
    shared.holders.push(node);
    const mine = deferred();
    shared.received.set(node, mine.promise);
    try {
      await this.phase(node, 'build', async (progress) => {
        progress(`waiting for ${from}`);
        await shared.received.get(from)!.catch(async () => {
          // The sender did not get it: fall back to the builder.
          await shared.built;
        });
        const sender = (await shared.received.get(from)!.then(() => true, () => false)) ? from : shared.builder;
        this.setPhase(node, 'build', { status: 'running' }, { status: 'BUILDING', builtBy: shared.builder });
        progress(`receiving from ${sender}`);
        const bytes = await this.deps.node(sender).copyTo(node, `${this.state(sender).home}/build.tar.gz`, `${home}/build.tar.gz`);
        await access.unpackBuild(home);
        const edge = { from: sender, to: node };
        this.edges.push(edge);
        this.deps.spread(this, edge);
        this.update(node, { receivedFrom: sender });
        return { sender, bytes };
      }, ({ sender, bytes }) => `received from ${sender} (${Math.round(bytes / 1024)} KiB), built on ${shared.builder}`, { slot: false });
      this.update(node, { status: 'NOT_STARTED' });
      mine.resolve();
    } catch (error) {
      if (error instanceof BuilderLost) {
        // Its builder never built: this node tries again, and may become the group's builder itself.
        this.setPhase(node, 'build', { status: 'pending', message: `${error.message}; electing another builder` });
        shared.holders.splice(shared.holders.indexOf(node), 1);
        try {
          await this.obtainBuild(node, access, home, platform, true);
          mine.resolve();
        } catch (again) {
          mine.reject(again as Error);
          throw again;
        }
        return;
      }
      mine.reject(error as Error);
      throw error;
    }
  }

  private readonly builderDone = new Map<string, Deferred>();

  /** Started detached, then polled (with its buildlog streamed) until its exit code is there. */
  private async build(node: string, access: AppNode, home: string, progress: (text: string) => void): Promise<void> {
    this.update(node, { status: 'BUILDING' });
    await access.startBuild(home);
    const deadline = Date.now() + this.definition.timeouts.build * 1000;
    let delay = 250;
    for (;;) {
      if (this.stopping.has(node)) throw new Stopped();
      const report = await this.pollTraces(node, home, false);
      if (report.build !== 'running') {
        await this.pollTraces(node, home, true);
        if (report.buildExit !== 0) {
          const last = this.traces.page({ node, stream: 'buildlog' }, Math.max(0, this.traces.page({ node, stream: 'buildlog' }, 0, 0).total - 3), 3).lines.map((l) => l.text);
          throw new StepFailure(`the build exited with ${report.buildExit ?? 'no exit code'}: ${last.join(' | ')}`);
        }
        break;
      }
      if (Date.now() > deadline) throw new StepFailure(`the build took longer than ${this.definition.timeouts.build} s`);
      progress(`building (${this.traces.page({ node, stream: 'buildlog' }, 0, 0).total} log lines)`);
      await sleep(delay);
      delay = Math.min(delay * 1.2, 5_000);
    }
    this.update(node, { status: 'NOT_STARTED' });
    await access.packBuild(home);
  }

  /** One round trip: status, and whatever the trace files gained. */
  private async pollTraces(node: string, home: string, final: boolean): Promise<StatusReport> {
    const offsets = traceStreams.map((stream) => ({ file: stream, offset: this.traces.offset(node, stream) }));
    const report = await this.deps.node(node).poll(home, offsets);
    const lines: TraceLine[] = [];
    for (const chunk of report.chunks) lines.push(...this.traces.add(node, chunk.file as TraceStream, chunk.data, false));
    if (final) for (const stream of traceStreams) lines.push(...this.traces.add(node, stream, Buffer.alloc(0), true));
    if (lines.length > 0) this.deps.traced(this, lines);
    // More than one chunk's worth waiting: read again at once.
    if (report.chunks.some((chunk) => chunk.data.length >= 256 * 1024)) return this.pollTraces(node, home, final);
    return report;
  }

  private ensurePolling(): void {
    this.timer ??= setInterval(() => void this.pollRunning(), this.deps.pollMs);
  }

  /** Every running node, once: finished ones get their exit code; unreachable ones fail after three misses. */
  async pollRunning(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const running = [...this.states.values()].filter((s) => s.status === 'RUNNING' && s.home && !this.stopping.has(s.node));
      await Promise.all(
        running.map(async (state) => {
          try {
            const report = await this.pollTraces(state.node, state.home!, false);
            this.pollFailures.delete(state.node);
            if (report.noHome) throw new StepFailure(`the home ${state.home} is gone`);
            if (report.app !== 'running') {
              await this.pollTraces(state.node, state.home!, true);
              this.setPhase(state.node, 'run', { status: 'done', durationMs: Date.now() - Date.parse(state.phases.run.startedAt ?? state.updatedAt), message: `exit code ${report.exitCode ?? 'unknown'}` }, { status: 'FINISHED', exitCode: report.exitCode });
            }
          } catch (error) {
            const misses = (this.pollFailures.get(state.node) ?? 0) + 1;
            this.pollFailures.set(state.node, misses);
            if (misses >= 3 || error instanceof StepFailure) {
              this.setPhase(state.node, 'run', { status: 'failed', message: (error as Error).message }, { status: 'FAILED', failedStep: 'run', error: `lost: ${(error as Error).message}` });
            }
          }
        }),
      );
      if (!this.summary().active && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    } finally {
      this.polling = false;
    }
  }

  /** Resumes polling a run found on disk after a restart; steps that were under way cannot be resumed and say so. */
  resume(): void {
    for (const state of this.states.values()) {
      const interrupted = Object.entries(state.phases).find(([phase, p]) => p.status === 'running' && phase !== 'run');
      if (interrupted || state.status === 'BUILDING') {
        this.update(state.node, { status: 'FAILED', failedStep: (interrupted?.[0] as AppPhase | undefined) ?? 'build', error: 'interrupted by a Slipway restart: retry failed nodes to continue' });
      }
    }
    if (this.summary().active) this.ensurePolling();
  }

  /** TERM to the process group, KILL after the grace period; reports which it took. */
  async stop(nodes?: readonly string[]): Promise<string[]> {
    const targets = [...this.states.values()].filter((s) => (!nodes || nodes.includes(s.node)) && (s.status === 'RUNNING' || s.status === 'BUILDING' || Object.values(s.phases).some((p) => p.status === 'running')));
    for (const state of targets) this.stopping.add(state.node);
    await Promise.all(
      targets.map(async (state) => {
        if (!state.home || (state.status !== 'RUNNING' && state.status !== 'BUILDING')) return;
        try {
          const how = await this.deps.node(state.node).stop(state.home, state.status === 'RUNNING' ? 'app' : 'build');
          const report = await this.pollTraces(state.node, state.home, true);
          const exitCode = state.status === 'RUNNING' ? report.exitCode : report.buildExit;
          const phase = state.status === 'RUNNING' ? 'run' : 'build';
          this.setPhase(state.node, phase, { status: 'done', message: `stopped (${how}), exit code ${exitCode ?? 'unknown'}` }, { status: 'STOPPED', stoppedWith: how === 'none' ? 'had already ended' : how, exitCode });
        } catch (error) {
          this.update(state.node, { error: `stop failed: ${(error as Error).message}` });
        }
      }),
    );
    return targets.map((s) => s.node);
  }

  /** Reruns the lifecycle on the failed nodes only (the blacklisted ones stay skipped). */
  retryFailed(): { retrying: string[]; done: Promise<void> } {
    const failed = [...this.states.values()].filter((s) => s.status === 'FAILED').map((s) => s.node);
    this.ensurePolling();
    return { retrying: failed, done: Promise.all(failed.map((node) => this.lifecycle(node))).then(() => undefined) };
  }

  /** Reads every remaining byte of every trace into the results folder. */
  async collect(): Promise<void> {
    await Promise.all(
      [...this.states.values()].filter((s) => s.home).map((s) => this.pollTraces(s.node, s.home!, s.status !== 'RUNNING' && s.status !== 'BUILDING').catch(() => undefined)),
    );
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
