import type { ContainerEventLine, ContainerRow, ContainerState } from '../../shared/contract/index.js';
import { describeEvent, exitSummary, signalName, traceLine, type EventBody } from '../containers/trace-events.js';

/**
 * The mocked Treadmill lab: which nodes carry a node root, the applications
 * placed on them, and how one container looks in each state with the events
 * `treadmill trace` would print for it. Deterministic: the same count gives
 * the same containers on every run, so tests can name them.
 */

export interface LabNode {
  name: string;
  root: string;
  /** The node cannot be read at all: every scan reports this error and no rows. */
  unreachable?: string;
  /** The node root holds malformed files and directories, reported with each scan. */
  malformed?: boolean;
}

export const labNodes: readonly LabNode[] = [
  { name: 'rack1-n01', root: '/var/tmp/treadmill' },
  { name: 'rack1-n02', root: '/var/tmp/treadmill' },
  { name: 'rack2-n02', root: '/srv/treadmill', malformed: true },
  // The same host refuses SSH in the mocked inventory (mock-node-fleet.ts).
  { name: 'rack3-n07', root: '/var/tmp/treadmill', unreachable: 'connect ECONNREFUSED 10.0.3.7:22' },
];

export const readableNodes = labNodes.filter((node) => !node.unreachable);

interface LabApp {
  app: string;
  services: string[];
  memory: string;
  cpu: string;
  disk: string;
  environment: string;
}

const labApps: readonly LabApp[] = [
  { app: 'proid.web', services: ['web_server'], memory: '512M', cpu: '50%', disk: '1G', environment: 'prod' },
  { app: 'proid.worker', services: ['worker', 'log_shipper'], memory: '1G', cpu: '100%', disk: '2G', environment: 'prod' },
  { app: 'proid.cron', services: ['cron'], memory: '128M', cpu: '10%', disk: '256M', environment: 'dev' },
  { app: 'lab.train', services: ['trainer'], memory: '16G', cpu: '800%', disk: '50G', environment: 'dev' },
  { app: 'lab.eval', services: ['evaluator', 'exporter'], memory: '4G', cpu: '200%', disk: '10G', environment: 'dev' },
  { app: 'ops.metrics', services: ['collector'], memory: '256M', cpu: '25%', disk: '1G', environment: 'prod' },
  { app: 'ops.backup', services: ['backup'], memory: '512M', cpu: '50%', disk: '20G', environment: 'prod' },
];

/** How a container left `running` (or never reached it): its state, in Treadmill's words, and its exit or abort reason. */
export interface Ending {
  state: ContainerState;
  summary: string;
  cleanupPending: boolean;
  exit?: { rc: number; signal: number };
  reason?: string;
  tombstone?: boolean;
}

export const exited = (rc: number, signal: number, cleanupPending: boolean): Ending => ({ state: 'finished', summary: exitSummary(rc, signal), cleanupPending, exit: { rc, signal } });

/** The row of a container on the node (a placed instance has no unique name; the lab has none such). */
export type LabRow = ContainerRow & { unique: string };

/** What a real scan reads from finish files, links and tombstones, for a row nothing has ended. */
export const noFinish = {
  reason: null, abortedPayload: null, service: null, exitCode: null, signal: null, signalName: null, exitedAt: null,
  cleaning: false, tombstone: false, placed: false, archived: false,
} as const;

/** The row's exit fields for an ending (what the real scan takes from exitinfo and data/aborted). */
export function endingFields(ending: Ending, service: string | null, at: number): Partial<Omit<ContainerRow, 'unique'>> {
  const exit = ending.exit;
  return {
    state: ending.state, summary: ending.summary, cleanupPending: ending.cleanupPending,
    reason: ending.reason ?? null, tombstone: ending.tombstone ?? false,
    ...(exit
      ? { service, exitCode: exit.rc, signal: exit.signal, signalName: exit.rc > 255 ? signalName(exit.signal) : null, exitedAt: at / 1000 }
      : { service: null, exitCode: null, signal: null, signalName: null, exitedAt: null }),
  };
}

/** The states the seeded containers cycle through: every state, several exit reasons. */
const seedCycle: readonly (Ending | 'running' | 'configured' | 'placed' | 'archived')[] = [
  'running',
  // In the node's cache/: placed by the scheduler, not configured yet.
  'placed',
  exited(3, 0, true),
  'running',
  { state: 'killed', summary: 'out of memory', cleanupPending: true },
  'configured',
  { state: 'aborted', summary: 'aborted: image', cleanupPending: true, reason: 'image' },
  // s6.finish left a tombstone the node's monitor has not handled yet: still linked in running/.
  { state: 'exited', summary: `exited, not yet processed: ${exitSummary(256, 9)}`, cleanupPending: false, exit: { rc: 256, signal: 9 }, tombstone: true },
  exited(256, 15, false),
  { state: 'terminated', summary: 'terminated', cleanupPending: true },
  { state: 'cleanup', summary: 'cleanup pending', cleanupPending: true },
  // Finished long ago: its logs archived and its directory removed.
  'archived',
];

/** How running containers end at re-scans, in turn. */
export const liveEndings: readonly Ending[] = [
  exited(0, 0, true),
  { state: 'killed', summary: 'out of memory', cleanupPending: true },
  exited(256, 9, true),
  exited(1, 0, true),
];

export interface LabContainer {
  row: LabRow;
  events: ContainerEventLine[];
}

/** One readable node of the lab as the mock holds it between scans. */
export interface NodeLab {
  node: LabNode;
  containers: LabContainer[];
  /** Instances placed on the node, not configured yet (its cache/). */
  placed: PlacedInstance[];
  /** Events of containers cleaned up or removed from the node: `treadmill trace` still shows them. */
  gone: ContainerEventLine[];
  ticks: number;
}

const minute = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Treadmill's 13-character unique id, derived from a sequence number. */
export function uniqueId(seq: number): string {
  return ((seq + 1) * 2_654_435_761).toString(36).toUpperCase().padStart(13, '0').slice(-13);
}

/** An event of the lab, worded as the real scan words it: Slipway's words and `treadmill trace`'s line. */
export function line(at: number, instance: string, host: string, body: EventBody): ContainerEventLine {
  const event = { ...body, time: at / 1000, instance, file: '' };
  return { at: iso(at), instance, type: body.type, text: describeEvent(event), trace: traceLine(event, host), details: null };
}

/** The events that end a running container, as Treadmill posts them. */
export function endingEvents(ending: Ending, row: LabRow, at: number): ContainerEventLine[] {
  const service = row.services[0] ?? 'main';
  const uniqueId = row.unique.slice(-13);
  const at_ = (body: EventBody, offset = 0) => line(at + offset, row.instance, row.node, body);
  const exit = ending.exit ?? { rc: 0, signal: 0 };
  switch (ending.state) {
    case 'killed':
      return [at_({ type: 'service_exited', uniqueId, service, rc: 256, signal: 9 }), at_({ type: 'killed', oom: true }, 200)];
    case 'aborted':
      return [at_({ type: 'aborted', why: ending.reason ?? '' })];
    case 'terminated':
      return [at_({ type: 'deleted' }), at_({ type: 'service_exited', uniqueId, service, rc: 256, signal: 15 }, 400)];
    case 'exited':
      // The service's exit is posted at once; the container's finish waits for the monitor.
      return [at_({ type: 'service_exited', uniqueId, service, ...exit })];
    default:
      return [at_({ type: 'service_exited', uniqueId, service, ...exit }), at_({ type: 'finished', ...exit }, 300)];
  }
}

/** A container just placed on `node`: scheduled and configured, not started yet. */
export function configuredContainer(node: string, seq: number, scheduledAt: number): LabContainer {
  const app = labApps[seq % labApps.length]!;
  const instanceId = String(seq + 1).padStart(10, '0');
  const unique = `${app.app}-${instanceId}-${uniqueId(seq)}`;
  const instance = `${app.app}#${instanceId}`;
  const configuredAt = scheduledAt + 20_000;
  const row: LabRow = {
    node, unique, instance, app: app.app, proid: app.app.split('.')[0]!, state: 'configured', summary: 'configured', cleanupPending: false, ...noFinish,
    environment: app.environment, memory: app.memory, cpu: app.cpu, disk: app.disk, services: app.services, changedAt: iso(configuredAt), problems: [],
  };
  const events = [line(scheduledAt, instance, node, { type: 'scheduled', where: node, why: 'schedule' }), line(configuredAt, instance, node, { type: 'configured', uniqueId: unique.slice(-13) })];
  return { row, events };
}

/** The container started: each of its services runs. */
export function startContainer(container: LabContainer, at: number): LabContainer {
  const { row } = container;
  const started = row.services.map((service, i) => line(at + i * 100, row.instance, row.node, { type: 'service_running', uniqueId: row.unique.slice(-13), service }));
  return { row: { ...row, state: 'running', summary: 'running', changedAt: iso(at) }, events: [...container.events, ...started] };
}

export function endContainer(container: LabContainer, ending: Ending, at: number): LabContainer {
  const ended = endingEvents(ending, container.row, at);
  return { row: { ...container.row, ...endingFields(ending, container.row.services[0] ?? 'main', at), changedAt: ended.at(-1)!.at }, events: [...container.events, ...ended] };
}

/** An instance the scheduler placed on the node (its cache/ entry): no container directory, no unique name yet. */
export interface PlacedInstance {
  row: ContainerRow & { unique: null };
  events: ContainerEventLine[];
}

export function placedInstance(node: string, seq: number, scheduledAt: number): PlacedInstance {
  const { row, events } = configuredContainer(node, seq, scheduledAt);
  return {
    row: { ...row, unique: null, state: 'placed', summary: 'placed, not configured yet', placed: true, changedAt: iso(scheduledAt), memory: null, cpu: null, disk: null, environment: null, services: [] },
    events: events.filter((e) => e.type === 'scheduled'),
  };
}

/** The `seq`-th container of the lab as the console finds it at `epoch`: somewhere between a minute and two days old. */
export function seededContainer(node: string, seq: number, epoch: number): LabContainer | PlacedInstance {
  const ageMinutes = 2 + ((seq * 97) % 2_880);
  const scheduledAt = epoch - ageMinutes * minute;
  const seed = seedCycle[seq % seedCycle.length]!;
  if (seed === 'placed') return placedInstance(node, seq, scheduledAt);
  const placed = configuredContainer(node, seq, scheduledAt);
  if (seed === 'configured') return placed;
  if (seed === 'archived') {
    // Finished, its logs archived and its directory removed (runtime.archive_logs, then finish's rmtree).
    const ended = endContainer(startContainer(placed, scheduledAt + 45_000), exited(0, 0, false), scheduledAt + 90_000);
    return { ...ended, row: { ...ended.row, state: 'archived', summary: 'finished: logs archived, container removed', archived: true, cleanupPending: false, memory: null, cpu: null, disk: null, environment: null, services: [] } };
  }
  // Aborted before it ever ran: the image could not be fetched.
  if (typeof seed !== 'string' && seed.state === 'aborted') return endContainer(placed, seed, scheduledAt + 40_000);
  const running = startContainer(placed, scheduledAt + 45_000);
  if (seed === 'running') return running;
  return endContainer(running, seed, scheduledAt + Math.max(1, Math.floor(ageMinutes / 2)) * minute);
}

/** What a node root with malformed files reports beside its rows, as the real scan words it. */
export function malformedProblems(node: string): string[] {
  return [
    `apps/scratch-${node}: not a container name (proid.app-<instance>-<13-char id>, as Treadmill\u2019s schema allows)`,
    'appevents/1763900000.5,proid.web#0000000042,service_exited,web_server: service_exited data "web_server" is not uniqueid.service.rc.signal',
  ];
}

/** One container whose files are damaged: still listed, its problem named on the row and the scan. */
export function damage(container: LabContainer): LabContainer {
  // As Treadmill's finish reads it: anything json.load refuses is {}, so return code and signal are 256.
  const problem = `apps/${container.row.unique}: exitinfo is not valid JSON: read as Treadmill reads it, with no exit code (256)`;
  const fields = endingFields(exited(256, 256, true), null, Date.parse(container.row.changedAt));
  return { ...container, row: { ...container.row, ...fields, memory: null, cpu: null, disk: null, problems: [problem] } };
}

/** How many of `total` containers go to each readable node: the first nodes take the remainder. */
export function share(total: number, nodes: number, index: number): number {
  return Math.floor(total / nodes) + (index < total % nodes ? 1 : 0);
}
