import type { ContainerEventLine, ContainerRow, ContainerScan, ContainerScanMeta, containerActionCommands, containerCommands, containerLogCommands } from '../../shared/contract/index.js';
import { SlipwayError } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import type { EventBus } from '../backend/event-bus.js';
import type { TerminalChannel } from '../terminal/terminal-service.js';
import type { ClientContext } from '../backend/client-context.js';
import { createContainerFeed, subscriber } from '../containers/container-feed.js';
import { applyRowDelta, diffRows } from '../containers/scan-delta.js';
import { createMockContainerActions } from './mock-container-actions.js';
import { mockRefusal, mockShell } from './mock-terminal.js';
import { createMockContainerLogs } from './mock-container-logs.js';
import { configuredContainer, damage, endContainer, labNodes, liveEndings, malformedProblems, readableNodes, seededContainer, share, startContainer, type LabContainer, type LabNode, type NodeLab, type PlacedInstance } from './mock-container-lab.js';

/**
 * Treadmill containers on the mocked lab (mock-container-lab.ts): `count`
 * containers spread over three readable nodes, rack2-n02's root holding
 * malformed files, rack3-n07 unreachable. Like the real service, every
 * `scanMs` each node is scanned: the events it gained go out as
 * `containers.events`, and each subscribed client gets what changed in its
 * rows as `containers.delta` (container-feed.ts, the real service's feed). Each re-scan moves every
 * readable node on a little: its longest-running container ends (in turn:
 * return code 0, out of memory, SIGKILL, return code 1), its oldest
 * configured container starts, and its oldest container pending cleanup is
 * cleaned up and replaced by a newly placed one (so counts stay put).
 * Containers the operator configured or acted on (mock-container-actions.ts)
 * are left out of that: they move only when told, as on a real node.
 * Each container's log (mock-container-logs.ts) follows from its life.
 */

type ContainerCommand = keyof typeof containerCommands | keyof typeof containerActionCommands | keyof typeof containerLogCommands;

export interface MockContainersOptions {
  bus: EventBus;
  /** Containers over the whole lab; 120 unless said (10,000 in the `containers-10k` scenario). */
  count?: number;
  /** Between two scans of every node, as the real service's SLIPWAY_CONTAINER_POLL_MS. */
  scanMs?: number;
  /** Now, for tests: ages and event times count from it. */
  now?: () => number;
  /** Between the start of a configured container and the end of a service that ends on its own (3 s unless said). */
  serviceMs?: number;
}

export interface MockContainers {
  handlers: Pick<Handlers, ContainerCommand>;
  /**
   * A mocked shell inside a container (its instance or unique name), refused
   * as the real one is: an unknown node or container before it opens; one
   * that is not running says so in one line and ends with exit 3.
   */
  openShell(node: string, name: string): Promise<TerminalChannel>;
  /** Moves every node on one step and publishes the scans, as a timer tick does. */
  rescan(): ContainerScan[];
  /** Clients following the nodes (tests). */
  readonly subscribers: number;
  start(): void;
  close(): void;
}

/** SLIPWAY_MOCK_CONTAINERS, a positive whole number: the lab's size for benches (bench/ui-containers.mjs). */
export function mockContainerCount(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.SLIPWAY_MOCK_CONTAINERS);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** SLIPWAY_MOCK_CONTAINER_SCAN_MS: rescans as often as a bench wants them. */
export function mockContainerScanMs(env: NodeJS.ProcessEnv = process.env): { scanMs?: number } {
  const value = Number(env.SLIPWAY_MOCK_CONTAINER_SCAN_MS);
  return Number.isSafeInteger(value) && value >= 50 ? { scanMs: value } : {};
}

const ended = new Set(['finished', 'killed', 'aborted', 'terminated', 'cleanup']);

/** The index of the oldest container (by its last change) that `keep` keeps, or -1. */
function pick(list: readonly LabContainer[], keep: (c: LabContainer) => boolean): number {
  let found = -1;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (keep(c) && (found < 0 || c.row.changedAt < list[found]!.row.changedAt)) found = i;
  }
  return found;
}

export function createMockContainers(options: MockContainersOptions): MockContainers {
  const { bus } = options;
  const now = options.now ?? Date.now;
  const count = options.count ?? 120;
  const scanMs = options.scanMs ?? 5_000;
  const epoch = now();
  let nextSeq = count;
  let timer: NodeJS.Timeout | null = null;

  const labs = new Map<string, NodeLab>();
  let offset = 0;
  readableNodes.forEach((node, index) => {
    const n = share(count, readableNodes.length, index);
    const seeded = Array.from({ length: n }, (_, i) => seededContainer(node.name, offset + i, epoch));
    offset += n;
    const containers = seeded.filter((s): s is LabContainer => s.row.unique !== null);
    const placed = seeded.filter((s): s is PlacedInstance => s.row.unique === null);
    if (node.malformed && containers.length > 3) containers[3] = damage(containers[3]!);
    labs.set(node.name, { node, containers, placed, gone: [], ticks: 0 });
  });

  const actions = createMockContainerActions({
    labs,
    now,
    serviceMs: options.serviceMs ?? 3_000,
    nextSeq: () => nextSeq++,
    publish(node, events) {
      if (events.length > 0) bus.publish('containers.events', { node, events });
      const lab = labs.get(node);
      if (lab) publish(scanOf(lab.node));
    },
  });
  const logs = createMockContainerLogs({ labs, now });
  const ownLife = (c: LabContainer) => !actions.isOperated(c.row.node, c.row.unique);

  function scanOf(node: LabNode): ContainerScan {
    const lab = labs.get(node.name);
    const base = { node: node.name, root: node.root, scannedAt: new Date(now()).toISOString() };
    if (!lab) return { ...base, ms: 3, rows: [], error: node.unreachable ?? 'not scanned', problems: [] };
    const rows = [...lab.placed.map((p) => p.row), ...lab.containers.map((c) => c.row)];
    const problems = node.malformed ? [...malformedProblems(node.name), ...rows.flatMap((r) => r.problems)] : [];
    // About what one find/xargs round trip takes: more files, longer.
    return { ...base, ms: 35 + Math.round(rows.length / 40) + (lab.ticks % 5), rows, error: null, problems };
  }

  /** One step of a node's life; returns the events it wrote. */
  function step(lab: NodeLab, at: number): ContainerEventLine[] {
    const list = [...lab.containers];
    const before = list.map((c) => c.events.length);
    const ending = liveEndings[(lab.ticks + labNodes.indexOf(lab.node)) % liveEndings.length]!;
    const fresh: ContainerEventLine[] = [];
    const running = pick(list, (c) => ownLife(c) && c.row.state === 'running');
    if (running >= 0) list[running] = endContainer(list[running]!, ending, at);
    const configured = pick(list, (c) => ownLife(c) && c.row.state === 'configured');
    if (configured >= 0) list[configured] = startContainer(list[configured]!, at + 500);
    // Not the one that just ended, nor a damaged one: the lab keeps showing its problem.
    const cleanable = pick(list, (c) => ownLife(c) && ended.has(c.row.state) && c.row.cleanupPending && c.row.problems.length === 0 && Date.parse(c.row.changedAt) < at);
    list.forEach((c, i) => fresh.push(...c.events.slice(i < before.length ? before[i] : 0)));
    if (cleanable >= 0) {
      const [cleaned] = list.splice(cleanable, 1);
      lab.gone.push(...cleaned!.events);
      const placed = configuredContainer(lab.node.name, nextSeq++, at + 1_000);
      list.push(placed);
      fresh.push(...placed.events);
    }
    lab.containers = list;
    lab.ticks += 1;
    return fresh.sort((a, b) => a.at.localeCompare(b.at));
  }

  // What each node's last scan found, by row key: the base of the next delta, as the real service keeps it.
  const feed = createContainerFeed();
  const held = new Map<string, { meta: ContainerScanMeta; rows: Map<string, ContainerRow> }>();
  function publish(scan: ContainerScan): ContainerScan {
    const { rows, ...meta } = scan;
    const node = held.get(scan.node) ?? { meta, rows: new Map<string, ContainerRow>() };
    const delta = diffRows(node.rows, rows);
    applyRowDelta(node.rows, delta);
    node.meta = meta;
    held.set(scan.node, node);
    feed.scanned(scan.node, { meta, rows: () => [...node.rows.values()] }, delta);
    return scan;
  }
  function publishAll(scans: ContainerScan[]): ContainerScan[] {
    return scans.map(publish);
  }

  function rescan(): ContainerScan[] {
    const at = now();
    for (const lab of labs.values()) {
      const events = step(lab, at);
      if (events.length > 0) bus.publish('containers.events', { node: lab.node.name, events });
    }
    return publishAll(labNodes.map(scanOf));
  }

  const handlers: MockContainers['handlers'] = {
    'containers.list': async ({ nodes: names }) => {
      const unknown = (names ?? []).filter((name) => !labNodes.some((node) => node.name === name));
      if (unknown.length > 0) throw new SlipwayError('bad_request', `not in the inventory: ${unknown.join(', ')}`, 'nodes');
      return publishAll(labNodes.filter((node) => !names || names.includes(node.name)).map(scanOf));
    },
    'containers.trace': async ({ node, instance }) => {
      const lab = labs.get(node);
      if (!lab) return [];
      const all = [...lab.gone, ...lab.containers.flatMap((c) => c.events), ...lab.placed.flatMap((p) => p.events)].filter((e) => e.instance === instance);
      return all.sort((a, b) => a.at.localeCompare(b.at));
    },
    'containers.subscribe': async ({ nodes: names }, client) => {
      const unknown = (names ?? []).filter((name) => !labNodes.some((node) => node.name === name));
      if (unknown.length > 0) throw new SlipwayError('bad_request', `not in the inventory: ${unknown.join(', ')}`, 'nodes');
      const nodes = labNodes.filter((node) => !names || names.includes(node.name)).map((node) => node.name);
      // The first client finds nothing held yet: the lab is scanned for it.
      if (held.size === 0) for (const node of labNodes) publish(scanOf(node));
      const heldRows = (name: string) => {
        const node = held.get(name);
        return node ? { meta: node.meta, rows: () => [...node.rows.values()] } : null;
      };
      feed.subscribe(subscriber(client), names ?? null, heldRows, nodes);
      return { nodes };
    },
    'containers.unsubscribe': async (_request, client?: ClientContext) => ({ unsubscribed: feed.unsubscribe(subscriber(client)) }),
    ...actions.handlers,
    ...logs.handlers,
  };

  async function openShell(node: string, name: string): Promise<TerminalChannel> {
    const labNode = labNodes.find((n) => n.name === node);
    if (!labNode) throw new SlipwayError('bad_request', `no node named ${node} in the inventory`, 'node');
    if (labNode.unreachable) throw new SlipwayError('failed', `${node}: ${labNode.unreachable}`);
    const row = labs.get(node)?.containers.find((c) => c.row.unique === name || c.row.instance === name)?.row;
    if (!row) throw new SlipwayError('bad_request', `no container ${name} on ${node} (not in a scan of ${node} made just now)`, 'instance');
    if (row.state !== 'running') return mockRefusal(`${row.instance} is not running on this node: no shell to open in it`, 3);
    return mockShell(node, { banner: `Mocked shell in ${row.instance} on ${node} (nothing runs here).`, prompt: `(${row.instance})root@${node}:/# ` });
  }

  return {
    handlers,
    openShell,
    rescan,
    get subscribers() {
      return feed.size;
    },
    start() {
      timer ??= setInterval(rescan, scanMs);
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
      actions.close();
    },
  };
}
