import type { AppDefinition, AppNodeState, AppPhase, AppRunDetail, AppRunSummary, BlacklistEntry, NodeStatus, PhaseState } from '../../shared/contract/index.js';
import { appPhases } from '../../shared/contract/index.js';
import { defaultBadHostPatterns, matchBadHost } from '../apps/bad-hosts.js';
import type { EventBus } from '../backend/event-bus.js';
import { behaviourOf } from './mock-app-definitions.js';
import { appTroubleOf, fraction, gpgErrorLines, homeBaseOf, platformOf, unreachableReason, type AppTrouble } from './mock-app-fleet.js';
import { buildBytes, buildLog, endLine, lateLine, roundLine, startLine } from './mock-app-output.js';
import { Closing, deferred, freshNode, iso, StepFailure, StopRequest, summaryOf, type Deferred, type NodeClock } from './mock-app-state.js';
import { MockTraces } from './mock-app-traces.js';

export interface MockAppRunOptions {
  id: string;
  definition: AppDefinition;
  definitionHash: string;
  startedAt: number;
  resultsDir: string;
  /** Read when a node's lifecycle starts: a node fixed in the Nodes view is reached on retry. */
  inventory(): Promise<NodeStatus[]>;
  blacklisted(node: string): BlacklistEntry | null;
  blacklist(entry: BlacklistEntry): void;
  /** Null when seeding: nobody listens. */
  bus: EventBus | null;
  clock(node: string): NodeClock;
  /** Multiplies every scripted pause: 1 is the demo pace, 0 as fast as it can. */
  speed: number;
  flushMs: number;
  /** Between two polls of a running node: a lost node misses three. */
  pollMs: number;
}

/** One builder per platform; everyone else receives along a tree of branching 2. */
interface BuildGroup {
  builder: string;
  built: Deferred;
  failed: boolean;
  /** Nodes that have (or are getting) the build, in the order they asked: receiver i gets it from holders[i / 2]. */
  holders: string[];
  received: Map<string, Deferred>;
  /** When each holder had it, on its own clock. */
  heldAt: Map<string, number>;
}

const tickMs = 100;
const tail = (lines: readonly string[], count: number) => lines.slice(-count).join(' | ');

/**
 * One deployment of a definition to many nodes, scripted: each node goes
 * through home, upload, depends, build (or receive), install, start and run
 * on its own, at a pace of its own; one failing never stops the others. The
 * states and their events follow the real service's (electron/apps/app-run.ts).
 */
export class MockAppRun {
  readonly traces: MockTraces;
  private readonly states = new Map<string, AppNodeState>();
  private readonly edges: { from: string; to: string }[] = [];
  private readonly groups = new Map<string, BuildGroup>();
  private readonly senders = new Map<string, string>();
  private readonly controls = new Map<string, AbortController>();
  private readonly lifecycles = new Map<string, Promise<void>>();
  private readonly attempts = new Map<string, number>();
  private readonly clocks = new Map<string, NodeClock>();
  private readonly closing = new AbortController();

  constructor(private readonly options: MockAppRunOptions) {
    const { bus, id } = options;
    this.traces = new MockTraces(bus ? (lines) => bus.publish('apps.trace', { id, lines }) : null, options.flushMs);
  }

  get id(): string {
    return this.options.id;
  }

  get definition(): AppDefinition {
    return this.options.definition;
  }

  summary(): AppRunSummary {
    const { id, definition, definitionHash, startedAt, resultsDir } = this.options;
    return summaryOf({ id, app: definition.name, definitionHash, startedAt: iso(startedAt), resultsDir }, this.states.values());
  }

  detail(): AppRunDetail {
    return { summary: this.summary(), definition: this.definition, nodes: [...this.states.values()], buildTree: [...this.edges] };
  }

  /** Starts every node at once; resolves when each has run, failed or stopped. */
  deploy(nodes: readonly string[]): Promise<void> {
    return Promise.all(nodes.map((node) => this.start(node))).then(() => undefined);
  }

  /** Every lifecycle started so far, ended. */
  async settled(): Promise<void> {
    let seen = -1;
    // A retry may start more while we wait.
    while (seen !== this.lifecycles.size) {
      seen = this.lifecycles.size;
      await Promise.all(this.lifecycles.values());
    }
  }

  /** TERM (or KILL after the grace period) on whatever is running; resolves once each has ended. */
  async stop(nodes?: readonly string[]): Promise<string[]> {
    const targets = [...this.states.values()]
      .filter((s) => (!nodes || nodes.includes(s.node)) && (s.status === 'RUNNING' || s.status === 'BUILDING' || appPhases.some((p) => s.phases[p].status === 'running')))
      .map((s) => s.node);
    for (const node of targets) this.controls.get(node)?.abort(new StopRequest('stopped by the operator'));
    await Promise.all(targets.map((node) => this.lifecycles.get(node)));
    return targets;
  }

  /** The whole lifecycle again on the failed nodes, and on nothing else. */
  retryFailed(): string[] {
    const failed = [...this.states.values()].filter((s) => s.status === 'FAILED').map((s) => s.node);
    for (const node of failed) void this.start(node);
    return failed;
  }

  async close(): Promise<void> {
    this.closing.abort(new Closing());
    for (const control of this.controls.values()) control.abort(new Closing());
    await Promise.all(this.lifecycles.values());
    this.traces.close();
  }

  private start(node: string): Promise<void> {
    const done = this.lifecycle(node).catch((error: unknown) => console.error(`mock application run ${this.id} crashed on ${node}:`, error));
    this.lifecycles.set(node, done);
    return done;
  }

  private clockOf(node: string): NodeClock {
    let clock = this.clocks.get(node);
    if (!clock) {
      clock = this.options.clock(node);
      this.clocks.set(node, clock);
    }
    return clock;
  }

  private state(node: string): AppNodeState {
    return this.states.get(node) ?? freshNode(node, this.clockOf(node).now());
  }

  private update(node: string, patch: Partial<AppNodeState>): void {
    const state = { ...this.state(node), ...patch, updatedAt: iso(this.clockOf(node).now()) };
    this.states.set(node, state);
    // Lines printed before a change arrive before it, so the traces and the matrix agree.
    this.traces.flush();
    this.options.bus?.publish('apps.node', { id: this.id, state });
    this.options.bus?.publish('apps.run', this.summary());
  }

  private setPhase(node: string, phase: AppPhase, patch: Partial<PhaseState>, extra: Partial<AppNodeState> = {}): void {
    const current = this.state(node);
    this.update(node, { ...extra, phases: { ...current.phases, [phase]: { ...current.phases[phase], ...patch } } });
  }

  private signalOf(node: string): AbortSignal {
    return this.controls.get(node)?.signal ?? this.closing.signal;
  }

  /** A scripted pause, a little longer or shorter per node so the matrix does not move in lockstep. */
  private pause(node: string, ms: number, jitter = true): Promise<void> {
    const factor = jitter ? 0.75 + 0.5 * fraction(`${this.id}:${node}:${ms}`) : 1;
    return this.clockOf(node).pause(ms * factor * this.options.speed, this.signalOf(node));
  }

  /** Whether the promise resolved (false: rejected); a stop of this node ends the wait. */
  private wait(node: string, promise: Promise<void>): Promise<boolean> {
    const signal = this.signalOf(node);
    return new Promise<boolean>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      void promise.then(
        () => true,
        () => false,
      ).then((ok) => {
        signal.removeEventListener('abort', onAbort);
        resolve(ok);
      });
    });
  }

  /** A phase with its state, duration and failure recorded; a stop leaves it to the lifecycle's end to say how it ended. */
  private async phase<T>(node: string, phase: AppPhase, work: (progress: (message: string) => void) => Promise<T>, doneMessage?: (value: T) => string | null): Promise<T> {
    const clock = this.clockOf(node);
    const started = clock.now();
    this.setPhase(node, phase, { status: 'running', startedAt: iso(started), durationMs: null, message: null });
    try {
      const value = await work((message) => this.setPhase(node, phase, { message }));
      this.setPhase(node, phase, { status: 'done', durationMs: clock.now() - started, message: doneMessage?.(value) ?? this.state(node).phases[phase].message });
      return value;
    } catch (error) {
      if (this.signalOf(node).aborted) throw error;
      this.setPhase(node, phase, { status: 'failed', durationMs: clock.now() - started, message: (error as Error).message });
      if (error instanceof StepFailure) error.phase = phase;
      throw error;
    }
  }

  private async lifecycle(node: string): Promise<void> {
    const listed = this.options.blacklisted(node);
    if (listed) {
      this.update(node, { ...freshNode(node, this.clockOf(node).now()), error: `skipped: on the blacklist since ${listed.at} (${listed.reason})` });
      return;
    }
    const attempt = (this.attempts.get(node) ?? 0) + 1;
    this.attempts.set(node, attempt);
    const control = new AbortController();
    this.controls.set(node, control);
    this.update(node, freshNode(node, this.clockOf(node).now()));
    try {
      const status = await this.phase(node, 'home', async () => {
        const found = (await this.options.inventory()).find((s) => s.spec.name === node);
        await this.pause(node, 300);
        if (!found) throw new StepFailure(`${node} is not in the inventory any more`);
        const reason = unreachableReason(found);
        if (reason) throw new StepFailure(reason);
        return found;
      }, (found) => this.homeOf(found, node, attempt));
      this.update(node, { home: this.homeOf(status, node, attempt), platform: platformOf(status) });
      await this.phase(node, 'upload', async (progress) => {
        for (const percent of [30, 70, 100]) {
          await this.pause(node, 160);
          progress(`uploaded ${percent}%`);
        }
      }, () => 'sources and stdin in place');
      const trouble = appTroubleOf(status.spec.host);
      await this.obtainBuild(node, trouble);
      await this.phase(node, 'install', () => this.pause(node, 300), () => (this.definition.install.trim() ? 'installed' : 'nothing to install'));
      const pid = await this.phase(node, 'start', async () => {
        await this.pause(node, 200);
        return 2_000 + Math.floor(fraction(`${this.id}:${node}:${attempt}:pid`) * 60_000);
      }, (p) => `pid ${p}`);
      this.setPhase(node, 'run', { status: 'running', startedAt: iso(this.clockOf(node).now()) }, { status: 'RUNNING', pid });
      await this.runApp(node, pid, trouble === 'lost' && attempt === 1 ? status : null);
    } catch (error) {
      await this.ended(node, control.signal, error);
    } finally {
      if (this.controls.get(node) === control) this.controls.delete(node);
    }
  }

  /** A retry gets a home of its own, as the real service does. */
  private homeOf(status: NodeStatus, node: string, attempt: number): string {
    return `${homeBaseOf(status.spec)}/${this.id}/${node}${attempt > 1 ? `.${attempt}` : ''}`;
  }

  private async ended(node: string, signal: AbortSignal, error: unknown): Promise<void> {
    if (signal.aborted) {
      if (signal.reason instanceof StopRequest) await this.stopped(node);
      return;
    }
    if (!(error instanceof StepFailure)) throw error;
    const { badHost } = error;
    if (badHost) this.options.blacklist({ node, reason: badHost.line, pattern: badHost.pattern, run: this.id, at: iso(this.clockOf(node).now()) });
    this.update(node, { status: 'FAILED', failedStep: error.phase, error: badHost ? `blacklisted: ${badHost.line}` : error.message });
  }

  /** How a stopped node ends: the application (or the build) gets TERM, or KILL after the grace period; anything earlier just stops. */
  private async stopped(node: string): Promise<void> {
    const state = this.state(node);
    const running = appPhases.find((p) => state.phases[p].status === 'running');
    const clock = this.clockOf(node);
    const grace = (ms: number) => clock.pause(ms * this.options.speed, this.closing.signal).then(() => true, () => false);
    const { name, timeouts } = this.definition;
    if (state.status === 'RUNNING' || (state.status === 'BUILDING' && running === 'build' && state.builtBy === null)) {
      const phase = state.status === 'RUNNING' ? 'run' : 'build';
      const stream = phase === 'run' ? 'stdout' : 'buildlog';
      const kill = phase === 'run' && behaviourOf(this.definition).ignoreTerm;
      this.traces.push(node, stream, kill ? `${name}: SIGTERM ignored (IGNORE_TERM is set)` : phase === 'run' ? `${name}: caught SIGTERM, exiting` : 'Terminated');
      if (!(await grace(kill ? timeouts.stop * 1_000 : 200))) return;
      const how = kill ? `KILL after ${timeouts.stop} s` : 'TERM';
      const exitCode = kill ? 137 : 143;
      const startedAt = state.phases[phase].startedAt;
      this.setPhase(node, phase, { status: 'done', durationMs: startedAt ? clock.now() - Date.parse(startedAt) : null, message: `stopped (${how}), exit code ${exitCode}` }, { status: 'STOPPED', stoppedWith: how, exitCode });
      return;
    }
    if (running) {
      const startedAt = state.phases[running].startedAt;
      this.setPhase(node, running, { status: 'failed', durationMs: startedAt ? clock.now() - Date.parse(startedAt) : null, message: 'stopped by the operator' });
    }
    this.update(node, { status: 'STOPPED', stoppedWith: 'before it started' });
  }

  /** The builder is the first node of its platform to start `depends` (a node known to be broken is passed over). */
  private electBuilder(node: string, trouble: AppTrouble): BuildGroup | null {
    const platform = this.state(node).platform ?? '';
    const group = this.groups.get(platform);
    if (trouble === 'bad-gpg' || this.definition.build.trim() === '') return group ?? null;
    if (group && !group.failed && group.builder !== node) return group;
    // First of its platform, or the one before it failed, or the builder again (a retry): a fresh promise for whoever waits.
    const built = deferred();
    const fresh: BuildGroup = {
      builder: node, built, failed: false,
      holders: group?.holders.includes(node) ? group.holders : [...(group?.holders ?? []), node],
      received: new Map([...(group?.received ?? []), [node, built]]),
      heldAt: group?.heldAt ?? new Map(),
    };
    this.groups.set(platform, fresh);
    return fresh;
  }

  private async obtainBuild(node: string, trouble: AppTrouble): Promise<void> {
    const { definition } = this;
    const group = this.electBuilder(node, trouble);
    const building = group?.builder === node;
    const packages = building ? [...definition.depends, ...definition.buildDepends] : definition.depends;
    await this.phase(node, 'depends', async (progress) => {
      if (packages.length > 0) progress(`checking ${packages.join(' ')}`);
      await this.pause(node, building ? 1_100 : 700);
      if (trouble === 'bad-gpg') {
        const output = gpgErrorLines.join('\n');
        throw new StepFailure(`installing depends failed (exit 100): ${tail(gpgErrorLines, 2)}`, matchBadHost(output, definition.badHostPatterns ?? defaultBadHostPatterns));
      }
      if (packages.length === 0) return 'no packages to install';
      return building && definition.buildDepends.length > 0 ? `installed: ${definition.buildDepends.join(' ')}` : `already installed: ${packages.join(' ')}`;
    }, (message) => message);
    if (definition.build.trim() === '') {
      this.setPhase(node, 'build', { status: 'skipped', message: 'no build command' });
      return;
    }
    if (!group) {
      const failure = new StepFailure('no node of this platform can build');
      failure.phase = 'build';
      throw failure;
    }
    if (building) await this.buildHere(node, group);
    else await this.receive(node, group);
  }

  private async buildHere(node: string, group: BuildGroup): Promise<void> {
    const home = this.state(node).home ?? '';
    try {
      await this.phase(node, 'build', async (progress) => {
        this.update(node, { status: 'BUILDING' });
        const lines = buildLog(this.definition, home);
        for (const [index, line] of lines.entries()) {
          this.traces.push(node, 'buildlog', line);
          if (index % 2 === 1) {
            await this.pause(node, 220);
            progress(`building (${index + 1} log lines)`);
          }
        }
      }, () => 'built here');
      this.update(node, { status: 'NOT_STARTED', builtBy: node, receivedFrom: null });
      group.heldAt.set(node, this.clockOf(node).now());
      group.built.resolve();
    } catch (error) {
      group.failed = true;
      group.built.reject(new Error(`the build on ${node} failed`));
      throw error;
    }
  }

  private async receive(node: string, group: BuildGroup): Promise<void> {
    let from: string;
    if (group.holders.includes(node)) {
      // A retry asks whoever sent it the first time.
      from = this.senders.get(node) ?? group.builder;
    } else {
      from = group.holders[Math.floor((group.holders.length - 1) / 2)]!;
      group.holders.push(node);
    }
    const mine = deferred();
    group.received.set(node, mine);
    try {
      const { sender } = await this.phase(node, 'build', async (progress) => {
        progress(`waiting for ${from}`);
        const fromHasIt = await this.wait(node, group.received.get(from)?.promise ?? group.built.promise);
        // The sender did not get it: fall back to the builder.
        if (!fromHasIt && !(await this.wait(node, group.built.promise))) throw new StepFailure(`the build on ${group.builder} failed`);
        const sender = fromHasIt ? from : group.builder;
        this.clockOf(node).reach(group.heldAt.get(sender) ?? 0);
        this.setPhase(node, 'build', { message: `receiving from ${sender}` }, { status: 'BUILDING', builtBy: group.builder });
        await this.pause(node, 400);
        const edge = { from: sender, to: node };
        if (!this.edges.some((e) => e.from === edge.from && e.to === edge.to)) {
          this.edges.push(edge);
          this.options.bus?.publish('apps.buildTree', { id: this.id, edge });
        }
        this.senders.set(node, sender);
        this.update(node, { receivedFrom: sender });
        return { sender, bytes: buildBytes(this.definition) };
      }, (v) => `received from ${v.sender} (${Math.round(v.bytes / 1024)} KiB), built on ${group.builder}`);
      this.update(node, { status: 'NOT_STARTED', receivedFrom: sender });
      group.heldAt.set(node, this.clockOf(node).now());
      mine.resolve();
    } catch (error) {
      mine.reject(error as Error);
      throw error;
    }
  }

  /** The application prints its rounds until it exits; `lose` is set on a node that drops off part way. */
  private async runApp(node: string, pid: number, lose: NodeStatus | null): Promise<void> {
    const { definition } = this;
    const behaviour = behaviourOf(definition);
    const clock = this.clockOf(node);
    const started = clock.now();
    this.traces.push(node, 'stdout', startLine(definition, node, this.state(node).platform ?? '', pid));
    const ticks = Math.max(1, Math.round(behaviour.runMs / tickMs));
    let printed = 0;
    for (let tick = 1; tick <= ticks; tick += 1) {
      await this.pause(node, tickMs, false);
      for (const due = Math.floor((behaviour.lines * tick) / ticks); printed < due; printed += 1) {
        this.traces.push(node, 'stdout', roundLine(definition, node, printed, behaviour.lines));
        const late = lateLine(definition, printed);
        if (late) this.traces.push(node, 'stderr', late);
      }
      if (lose && tick >= ticks * 0.4) {
        // Nothing more comes back: three polls in a row go unanswered.
        this.traces.flush();
        await this.pause(node, this.options.pollMs * 3, false);
        const message = `no answer to 3 polls in a row: connect ETIMEDOUT ${lose.spec.host}:${lose.spec.port}`;
        this.setPhase(node, 'run', { status: 'failed', durationMs: clock.now() - started, message }, { status: 'FAILED', failedStep: 'run', error: `lost: ${message}` });
        return;
      }
    }
    this.traces.push(node, 'stdout', endLine(definition, behaviour.lines, behaviour.exitCode));
    this.setPhase(node, 'run', { status: 'done', durationMs: clock.now() - started, message: `exit code ${behaviour.exitCode}` }, { status: 'FINISHED', exitCode: behaviour.exitCode });
  }
}
