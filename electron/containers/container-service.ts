import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { ContainerEventLine, ContainerRow, ContainerScan, ContainerScanMeta } from '../../shared/contract/containers.js';
import type { ClientContext } from '../backend/client-context.js';
import { SlipwayError, type NodeSpec } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import type { Runner } from '../process/runner.js';
import type { PtyChannel } from '../lib/pty-channel.js';
import { parseInstance, parseUnique } from '../../shared/contract/instance-name.js';
import type { ContainerAction } from '../../shared/contract/containers.js';
import { act, configure, type Execute } from './container-actions.js';
import { containerShellCommand, logReadScript } from './container-scripts.js';
import { parseScan, scanScript, type Manifest, type ScannedContainer } from './container-scan.js';
import { createContainerFeed } from './container-feed.js';

export { subscriber } from './container-feed.js';
import { rescanScript, scanSession } from './container-rescan-script.js';
import { applyScanOutput, emptyNodeScanState, eventsOf, generations, heldScan, replaceRows, type NodeScanState, type SeenEvent } from './node-scan-state.js';
import type { RowDelta } from './scan-delta.js';
import { describeEvent, traceLine } from './trace-events.js';
import type { StreamExec, StreamHandlers } from '../lib/line-stream.js';
import { scopedScript } from './container-watch-script.js';
import { createNodeWatches, type ReadPlan } from './node-watches.js';
import { applyScopedOutput } from './scoped-rescan.js';

export interface ContainerServiceDeps {
  bus: EventBus;
  run: Runner;
  nodes: {
    specs(): NodeSpec[];
    access(name: string): {
      exec(command: string, options: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
      /** A command on a pty over the node's pooled connection (container shells). */
      openPty(options: { cols: number; rows: number; command: string }): Promise<PtyChannel>;
      /** A command kept running and read line by line (the node's watcher); without it nodes are read by shell rescans. */
      openStream?(command: string, handlers: StreamHandlers): Promise<StreamExec>;
    };
  };
  pollMs: number;
}

export const defaultTreadmillRoot = '/var/tmp/treadmill';

/** A node is a Treadmill node when it carries the label `treadmill` (default root) or `treadmill=<root>`. */
export function treadmillRoot(node: NodeSpec): string | null {
  for (const label of node.labels) {
    if (label === 'treadmill') return defaultTreadmillRoot;
    if (label.startsWith('treadmill=/')) return label.slice('treadmill='.length);
  }
  return null;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function eventLine(event: SeenEvent, host: string): ContainerEventLine {
  return { at: iso(event.time), instance: event.instance, type: event.type, text: describeEvent(event), trace: traceLine(event, host), details: event.details };
}

/** A scanned container as a contract row. */
export function scannedRow(node: string, container: ScannedContainer, manifest: Manifest | null): ContainerRow {
  return {
    node,
    unique: container.name.unique,
    instance: container.name.instance,
    app: container.name.app,
    proid: container.name.proid,
    state: container.status.state,
    summary: container.status.summary,
    reason: container.status.aborted?.why ?? null,
    abortedPayload: container.status.aborted?.payload ?? null,
    service: container.status.exit?.service ?? null,
    exitCode: container.status.exit?.rc ?? null,
    signal: container.status.exit?.signal ?? null,
    signalName: container.status.exit?.signalName ?? null,
    exitedAt: container.status.exit?.timestamp ?? null,
    cleanupPending: container.status.cleanupPending,
    cleaning: container.status.cleaning,
    tombstone: container.status.tombstone,
    placed: container.placed,
    archived: container.archived,
    environment: manifest?.environment ?? null,
    memory: manifest?.memory ?? null,
    cpu: manifest?.cpu ?? null,
    disk: manifest?.disk ?? null,
    services: manifest?.services ?? [],
    changedAt: iso(container.changedAt || 0),
    problems: container.status.problems,
  };
}

export function createContainerService(deps: ContainerServiceDeps) {
  /** Per node root: its listing, rows and events (node-scan-state.ts), and its last scan's facts. */
  const memory = new Map<string, NodeScanState>();
  const metas = new Map<string, ContainerScanMeta>();
  const feed = createContainerFeed();
  // The node keeps its listing under this session's name: another console scanning the same node keeps its own.
  const session = randomBytes(8).toString('hex');
  let timer: NodeJS.Timeout | null = null;

  const stateOf = (node: string, root: string): NodeScanState => {
    const key = `${node}\0${root}`;
    let state = memory.get(key);
    if (!state) memory.set(key, (state = emptyNodeScanState()));
    return state;
  };

  /** A node read over SSH: only what changed since the listing held, or everything (first scan, state lost). */
  async function scan(node: string, root: string, execute: (script: string) => Promise<string>, reason?: string): Promise<{ scan: ContainerScanMeta; state: NodeScanState; delta: RowDelta }> {
    const started = Date.now();
    const state = stateOf(node, root);
    const bytesBefore = received.get(node) ?? 0;
    let via: 'delta' | 'full' = state.listing ? 'delta' : 'full';
    const meta = (error: string | null, problems: string[]): ContainerScanMeta => ({
      node, root, scannedAt: new Date().toISOString(), ms: Date.now() - started, bytes: (received.get(node) ?? 0) - bytesBefore, error, problems, read: { via, ...(reason ? { reason } : {}) },
    });
    const failed = (error: string) => {
      // Unreachable or unreadable: no rows, and the next scan starts over.
      state.listing = null;
      return { scan: meta(error, []), state, delta: replaceRows(state, []) };
    };
    try {
      let applied: ReturnType<typeof applyScanOutput> | null = null;
      for (let attempt = 0; !applied; attempt++) {
        const { base, next } = generations(state);
        const output = await execute(rescanScript(root, scanSession(session, root), base, next));
        try {
          applied = applyScanOutput(state, output, (container, manifest) => scannedRow(node, container, manifest));
        } catch (error) {
          // A delta that does not fit what is held: once more, in full.
          if (attempt > 0) throw error;
          state.listing = null;
        }
      }
      if ('error' in applied) return failed(applied.error);
      via = applied.mode;
      const { problems, missing, fresh, delta } = applied;
      if (fresh.length > 0) deps.bus.publish('containers.events', { node, events: fresh.map((e) => eventLine(e, node)) });
      return { scan: meta(null, [...problems, ...missing.map((dir) => `${dir}/ is missing under ${root}`)]), state, delta };
    } catch (error) {
      return failed((error as Error).message);
    }
  }

  /**
   * A watched node read as its watcher's events say (node-watches.ts): the
   * folders they named rescanned, their lines replaced in what is held
   * (scoped-rescan.ts), or nothing read when none changed. Whatever does not
   * fit what is held is read by a full shell rescan instead.
   */
  async function scopedScan(node: string, root: string, execute: (script: string) => Promise<string>, scopes: ReadonlySet<string>, started: number): Promise<{ scan: ContainerScanMeta; state: NodeScanState; delta: RowDelta }> {
    const state = stateOf(node, root);
    const bytesBefore = received.get(node) ?? 0;
    const meta = (problems: string[]): ContainerScanMeta => ({ node, root, scannedAt: new Date().toISOString(), ms: Date.now() - started, bytes: (received.get(node) ?? 0) - bytesBefore, error: null, problems, read: { via: 'watch' } });
    if (scopes.size === 0) return { scan: meta(metas.get(node)?.problems ?? []), state, delta: { added: [], changed: [], removed: [] } };
    let applied: ReturnType<typeof applyScopedOutput>;
    try {
      applied = applyScopedOutput(state, scopes, await execute(scopedScript(root, scopes)), (container, manifest) => scannedRow(node, container, manifest));
    } catch (error) {
      state.listing = null;
      return scan(node, root, execute, `a scoped rescan failed: ${(error as Error).message}`);
    }
    if ('error' in applied) return scan(node, root, execute, `a scoped rescan failed: ${applied.error}`);
    if (applied.fresh.length > 0) deps.bus.publish('containers.events', { node, events: applied.fresh.map((e) => eventLine(e, node)) });
    return { scan: meta([...applied.problems, ...applied.missing.map((dir) => `${dir}/ is missing under ${root}`)]), state, delta: applied.delta };
  }

  const isFollowed = (name: string) => {
    const followed = feed.followed();
    const spec = deps.nodes.specs().find((n) => n.name === name);
    return followed === 'all' ? spec !== undefined && treadmillRoot(spec) !== null : followed.has(name);
  };

  /** A node read the way its watcher allows: the folders events named, or a shell rescan (full after an overflow). */
  async function readNode(node: string, root: string, execute: (script: string) => Promise<string>) {
    const state = stateOf(node, root);
    // Timed from here: the sync with the watcher is part of what a watched rescan costs.
    const started = Date.now();
    const plan = await watches.plan(node, root, state.listing !== null);
    if (plan.via === 'watch') return scopedScan(node, root, execute, plan.batch.scopes, started);
    if (plan.full) state.listing = null;
    const result = await scan(node, root, execute, plan.reason);
    watches.shellDone(node, root, plan as ReadPlan & { via: 'shell' }, result.scan.error === null, isFollowed(node));
    return result;
  }

  /** A node root on this host (the CLI's --root), read whole with the full scan script: no state kept on it. */
  async function scanWhole(node: string, root: string, execute: (script: string) => Promise<string>): Promise<ContainerScan> {
    const started = Date.now();
    const state = stateOf(node, root);
    const at = () => ({ node, root, scannedAt: new Date().toISOString(), ms: Date.now() - started });
    try {
      const result = parseScan(await execute(scanScript(root, 0)));
      if (result.error) return { ...at(), rows: [], error: result.error, problems: [] };
      const known = new Set(state.events.map((e) => e.file));
      state.events.push(...result.events.filter((e) => !known.has(e.file)).map((e) => ({ ...e, details: result.eventDetails.get(e.file) ?? null })));
      const rows = result.containers.map((c) => scannedRow(node, c, c.manifest));
      replaceRows(state, rows);
      return { ...at(), rows, error: null, problems: [...result.problems, ...result.missing.map((dir) => `${dir}/ is missing under ${root}`)] };
    } catch (error) {
      return { ...at(), rows: [], error: (error as Error).message, problems: [] };
    }
  }

  // The pool runs a script in the node's resident sh, whatever the login shell.
  const onNode = (name: string): Execute => (script) => deps.nodes.access(name).exec(script, { timeoutMs: 60_000 });
  // Compressed on the node: 10,000 containers are megabytes of text, a tenth of that gzipped (base64 keeps it text).
  const received = new Map<string, number>();
  const overSsh = (name: string) => async (script: string) => {
    const result = await onNode(name)(`{ ${script}\n} | gzip -1 | base64 -w 0`);
    if (result.code !== 0) throw new Error(`the scan failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    received.set(name, (received.get(name) ?? 0) + result.stdout.length);
    return gunzipSync(Buffer.from(result.stdout, 'base64')).toString('utf8');
  };

  // Nodes followed by a console are watched where they can hold a streaming channel (node-watches.ts).
  const watches = createNodeWatches({
    access: (name) => {
      const access = deps.nodes.access(name);
      const { openStream } = access;
      return openStream ? { exec: (command) => access.exec(command, { timeoutMs: 10_000 }), openStream: (command, handlers) => openStream.call(access, command, handlers) } : null;
    },
    rescan: (name) => {
      const node = deps.nodes.specs().find((n) => n.name === name);
      if (node) void scanNode(node, true).catch(() => undefined);
    },
  });

  const rootOf = (name: string): string => treadmillRoot(specOf(name)) ?? defaultTreadmillRoot;

  const locally = async (script: string) => {
    const result = await deps.run('sh', ['-c', script], { quiet: true });
    if (result.exitCode !== 0) throw new Error(`the scan failed: ${result.stderr.trim()}`);
    return result.stdout;
  };

  /**
   * One scan per node at a time: the poll, the list a client asks for and the
   * rescan after an action share it. A caller that needs what the node looks
   * like now (after an action) gets one more scan after the running one, shared
   * by every such caller meanwhile.
   */
  const running = new Map<string, Promise<ContainerScan>>();
  const following = new Map<string, Promise<ContainerScan>>();
  function scanNode(node: NodeSpec, startingNow = false): Promise<ContainerScan> {
    const current = running.get(node.name);
    if (current && !startingNow) return current;
    if (current) {
      let next = following.get(node.name);
      if (!next) {
        next = current.then(() => undefined, () => undefined).then(() => {
          following.delete(node.name);
          return scanNode(node, true);
        });
        following.set(node.name, next);
      }
      return next;
    }
    const scanning = readNode(node.name, treadmillRoot(node) ?? defaultTreadmillRoot, overSsh(node.name)).then(({ scan: meta, state, delta }) => {
      metas.set(node.name, meta);
      feed.scanned(node.name, { meta, rows: () => [...state.rows.values()] }, delta);
      return heldScan(meta, state);
    });
    running.set(node.name, scanning);
    void scanning.finally(() => running.delete(node.name)).catch(() => undefined);
    return scanning;
  }

  function specOf(name: string): NodeSpec {
    const node = deps.nodes.specs().find((n) => n.name === name);
    if (!node) throw new SlipwayError('bad_request', `no node named ${name} in the inventory`, 'node');
    return node;
  }

  /** The container's row as the last scan saw it; unknown, a fresh scan is waited for, and the refusal says so. */
  async function rowOf(node: string, instance: string): Promise<ContainerRow> {
    const root = rootOf(node);
    const find = () => {
      const rows = memory.get(`${node}\0${root}`)?.rows;
      if (!rows) return undefined;
      for (const row of rows.values()) if (row.instance === instance || row.unique === instance) return row;
      return undefined;
    };
    const known = find();
    if (known) return known;
    await scanNode(specOf(node), true);
    const found = find();
    if (!found) throw new SlipwayError('bad_request', `no container ${instance} on ${node} (not in a scan of ${node} made just now)`, 'instance');
    return found;
  }

  /** A row with a container directory on the node: a placed instance, or an archived one, has none to act on or read. */
  async function containerOf(node: string, instance: string): Promise<ContainerRow & { unique: string }> {
    const row = await rowOf(node, instance);
    if (row.unique === null || row.state === 'archived') throw new SlipwayError('bad_request', `${instance} on ${node} is ${row.state}: it has no container directory`, 'instance');
    return { ...row, unique: row.unique };
  }

  const service = {
    /** Every Treadmill node (or these), in parallel; each answers in one round trip, and a scan already running is joined. */
    async list(names?: readonly string[], options: { fresh?: boolean } = {}): Promise<ContainerScan[]> {
      // A fresh scan forgets what earlier scans saw: every manifest and event is read again (benchmarks).
      if (options.fresh) for (const [key, state] of memory) if (!names || names.some((name) => key.startsWith(`${name}\0`))) Object.assign(state, emptyNodeScanState());
      const nodes = deps.nodes.specs().filter((node) => (names ? names.includes(node.name) : treadmillRoot(node) !== null));
      const unknown = (names ?? []).filter((name) => !nodes.some((node) => node.name === name));
      if (unknown.length > 0) throw new SlipwayError('bad_request', `not in the inventory: ${unknown.join(', ')}`, 'nodes');
      return Promise.all(nodes.map((node) => scanNode(node, options.fresh)));
    },

    /** A node root on this host, read with the full scan script (no SSH). */
    scanLocal: (root: string) => scanWhole('local', root, locally),

    /**
     * A client follows these nodes (every Treadmill node when none are named):
     * the snapshots held go at once, nodes not scanned yet are scanned now,
     * and every poll sends what changed (container-feed.ts).
     */
    subscribe(client: ClientContext, names?: readonly string[]): { nodes: string[] } {
      const nodes = deps.nodes.specs().filter((node) => (names ? names.includes(node.name) : treadmillRoot(node) !== null));
      const unknown = (names ?? []).filter((name) => !nodes.some((node) => node.name === name));
      if (unknown.length > 0) throw new SlipwayError('bad_request', `not in the inventory: ${unknown.join(', ')}`, 'nodes');
      const held = (name: string) => {
        const meta = metas.get(name);
        const state = meta ? memory.get(`${name}\0${meta.root}`) : undefined;
        return meta && state ? { meta, rows: () => [...state.rows.values()] } : null;
      };
      feed.subscribe(client, names ?? null, held, nodes.map((node) => node.name));
      for (const node of nodes) if (!metas.has(node.name)) void scanNode(node).catch(() => undefined);
      return { nodes: nodes.map((node) => node.name) };
    },

    unsubscribe: (client: ClientContext) => feed.unsubscribe(client),

    /** The instance's events, oldest first, as of the last scan of its node. */
    trace(node: string, instance: string, root?: string): ContainerEventLine[] {
      const entries = [...memory.entries()].filter(([key]) => key.startsWith(`${node}\0`) && (!root || key === `${node}\0${root}`));
      return entries.flatMap(([, seen]) => eventsOf(seen, instance, (e) => eventLine(e, node)));
    },

    /**
     * Treadmill's configure on the node. It answers as soon as the node has
     * written the container; the rescan that lists it follows (its event
     * brings the row), so a slow scan never holds the configure up.
     */
    async configure(node: string, manifest: string) {
      const root = rootOf(node);
      const made = await configure(onNode(node), root, manifest);
      void scanNode(specOf(node), true).catch(() => undefined);
      return made;
    },

    async act(node: string, instance: string, action: ContainerAction) {
      const row = await containerOf(node, instance);
      const done = await act(onNode(node), rootOf(node), action, row.instance, row.unique);
      void scanNode(specOf(node), true).catch(() => undefined);
      return { done };
    },

    /** The container's log from `offset` on, whole lines only. */
    async logs(node: string, instance: string, offset: number): Promise<{ text: string; offset: number; restarted: boolean }> {
      const root = rootOf(node);
      const row = await containerOf(node, instance);
      const result = await onNode(node)(logReadScript(root, row.unique, offset));
      if (result.code !== 0) throw new SlipwayError('failed', `reading the log of ${instance}: ${result.stderr.trim()}`);
      const lines = result.stdout.split('\n');
      const from = Number(/^from=(\d+)$/m.exec(result.stdout)?.[1] ?? offset);
      const data = Buffer.from(lines.find((line, index) => index > 0 && lines[index - 1]!.startsWith('from=')) ?? '', 'base64');
      const whole = data.lastIndexOf(0x0a) + 1;
      return { text: data.subarray(0, whole).toString('utf8'), offset: from + whole, restarted: from < offset };
    },

    /**
     * A shell inside the container (`name`: its instance or unique name), as
     * root, on a pty over the node's pooled connection: what the console's
     * terminal and `slipway containers shell` open. A container that is not
     * running says so on the pty, and it ends (exit 3).
     */
    async openShell(node: string, name: string, size: { cols: number; rows: number }): Promise<PtyChannel> {
      if (!parseInstance(name) && !parseUnique(name)) throw new SlipwayError('bad_request', `not a container name: ${JSON.stringify(name)} (proid.app#0000000001, or its unique name)`, 'container');
      const row = await containerOf(node, name);
      return deps.nodes.access(node).openPty({ ...size, command: containerShellCommand(rootOf(node), row.instance, row.unique) });
    },

    start(): void {
      // Only nodes some client follows are rescanned: no client, no scans.
      timer ??= setInterval(() => {
        const followed = feed.followed();
        // A node no console follows any more is not watched.
        for (const name of watches.nodes()) if (!isFollowed(name)) watches.forget(name);
        if (followed === 'all') void service.list().catch(() => undefined);
        else if (followed.size > 0) void service.list([...followed].filter((name) => deps.nodes.specs().some((node) => node.name === name))).catch(() => undefined);
      }, deps.pollMs);
      timer.unref();
    },

    close(): void {
      if (timer) clearInterval(timer);
      timer = null;
      watches.close();
    },
  };
  return service;
}

export type ContainerService = ReturnType<typeof createContainerService>;
