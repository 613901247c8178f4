import type { ContainerEventLine, ContainerRow, ContainerState } from '../../shared/contract/index.js';

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

/** How a container left `running` (or never reached it), in Treadmill's words. */
export interface Ending {
  state: ContainerState;
  summary: string;
  cleanupPending: boolean;
}

/** The states the seeded containers cycle through: every state, several exit reasons. */
const seedCycle: readonly (Ending | 'running' | 'configured')[] = [
  'running',
  'running',
  { state: 'finished', summary: 'return code: 3', cleanupPending: true },
  'running',
  { state: 'killed', summary: 'out of memory', cleanupPending: true },
  'configured',
  { state: 'aborted', summary: 'aborted: image', cleanupPending: true },
  'running',
  { state: 'finished', summary: 'signal: SIGTERM', cleanupPending: false },
  { state: 'terminated', summary: 'terminated', cleanupPending: true },
  { state: 'cleanup', summary: 'cleanup pending', cleanupPending: true },
  { state: 'finished', summary: 'return code: 0', cleanupPending: true },
];

/** How running containers end at re-scans, in turn. */
export const liveEndings: readonly Ending[] = [
  { state: 'finished', summary: 'return code: 0', cleanupPending: true },
  { state: 'killed', summary: 'out of memory', cleanupPending: true },
  { state: 'finished', summary: 'signal: SIGKILL', cleanupPending: true },
  { state: 'finished', summary: 'return code: 1', cleanupPending: true },
];

export interface LabContainer {
  row: ContainerRow;
  events: ContainerEventLine[];
}

/** One readable node of the lab as the mock holds it between scans. */
export interface NodeLab {
  node: LabNode;
  containers: LabContainer[];
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

export function line(at: number, instance: string, type: string, text: string): ContainerEventLine {
  return { at: iso(at), instance, type, text };
}

/** The events that end a running container, as `treadmill trace` words them. */
export function endingEvents(ending: Ending, row: ContainerRow, at: number): ContainerEventLine[] {
  const service = row.services[0] ?? 'main';
  const at_ = (text: string, type: string, offset = 0) => line(at + offset, row.instance, type, text);
  switch (ending.state) {
    case 'killed':
      return [at_(`service ${service} exited: signal: SIGKILL`, 'service_exited'), at_('killed, out of memory', 'killed', 200)];
    case 'aborted':
      return [at_(ending.summary, 'aborted')];
    case 'terminated':
      return [at_('deleted', 'deleted'), at_(`service ${service} exited: signal: SIGTERM`, 'service_exited', 400)];
    default:
      return [at_(`service ${service} exited: ${ending.summary}`, 'service_exited'), at_(`finished: ${ending.summary}`, 'finished', 300)];
  }
}

/** A container just placed on `node`: scheduled and configured, not started yet. */
export function configuredContainer(node: string, seq: number, scheduledAt: number): LabContainer {
  const app = labApps[seq % labApps.length]!;
  const instanceId = String(seq + 1).padStart(10, '0');
  const unique = `${app.app}-${instanceId}-${uniqueId(seq)}`;
  const instance = `${app.app}#${instanceId}`;
  const configuredAt = scheduledAt + 20_000;
  const row: ContainerRow = {
    node, unique, instance, app: app.app, proid: app.app.split('.')[0]!, state: 'configured', summary: 'configured', cleanupPending: false,
    environment: app.environment, memory: app.memory, cpu: app.cpu, disk: app.disk, services: app.services, changedAt: iso(configuredAt), problems: [],
  };
  const events = [line(scheduledAt, instance, 'scheduled', `scheduled on ${node}: schedule`), line(configuredAt, instance, 'configured', `configured ${unique.slice(-13)}`)];
  return { row, events };
}

/** The container started: each of its services runs. */
export function startContainer(container: LabContainer, at: number): LabContainer {
  const { row } = container;
  const started = row.services.map((service, i) => line(at + i * 100, row.instance, 'service_running', `service ${service} running`));
  return { row: { ...row, state: 'running', summary: 'running', changedAt: iso(at) }, events: [...container.events, ...started] };
}

export function endContainer(container: LabContainer, ending: Ending, at: number): LabContainer {
  const ended = endingEvents(ending, container.row, at);
  return { row: { ...container.row, ...ending, changedAt: ended.at(-1)!.at }, events: [...container.events, ...ended] };
}

/** The `seq`-th container of the lab as the console finds it at `epoch`: somewhere between a minute and two days old. */
export function seededContainer(node: string, seq: number, epoch: number): LabContainer {
  const ageMinutes = 2 + ((seq * 97) % 2_880);
  const scheduledAt = epoch - ageMinutes * minute;
  const placed = configuredContainer(node, seq, scheduledAt);
  const seed = seedCycle[seq % seedCycle.length]!;
  if (seed === 'configured') return placed;
  // Aborted before it ever ran: the image could not be fetched.
  if (typeof seed !== 'string' && seed.state === 'aborted') return endContainer(placed, seed, scheduledAt + 40_000);
  const running = startContainer(placed, scheduledAt + 45_000);
  if (seed === 'running') return running;
  return endContainer(running, seed, scheduledAt + Math.max(1, Math.floor(ageMinutes / 2)) * minute);
}

/** What a node root with malformed files reports beside its rows, as the real scan words it. */
export function malformedProblems(node: string): string[] {
  return [
    `apps/scratch-${node}: not a container name (proid.app-<instance>-<13-char id>)`,
    'appevents/1763900000.5,proid.web#0000000042,service_exited,web_server: service_exited data "web_server" is not uniqueid.service.rc.signal',
  ];
}

/** One container whose files are damaged: still listed, its problem named on the row and the scan. */
export function damage(container: LabContainer): LabContainer {
  const problem = `apps/${container.row.unique}: exitinfo is not valid JSON (Unexpected end of JSON input)`;
  return { ...container, row: { ...container.row, state: 'finished', summary: 'finished (exit info unreadable)', cleanupPending: true, memory: null, cpu: null, disk: null, problems: [problem] } };
}

/** How many of `total` containers go to each readable node: the first nodes take the remainder. */
export function share(total: number, nodes: number, index: number): number {
  return Math.floor(total / nodes) + (index < total % nodes ? 1 : 0);
}
