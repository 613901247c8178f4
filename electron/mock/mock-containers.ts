import type { ContainerEventLine, ContainerRow, ContainerScan, ContainerState } from '../../shared/contract/index.js';
import { SlipwayError } from '../../shared/contract/index.js';
import type { Handlers } from '../host/backend.js';
import type { EventBus } from '../host/event-bus.js';

export interface MockContainersOptions {
  bus: EventBus;
  /** Containers per mocked Treadmill node. */
  perNode?: number;
}

const nodes = ['rack1-n01', 'rack1-n02', 'rack2-n02'];
const cycle: { state: ContainerState; summary: string }[] = [
  { state: 'running', summary: 'running' },
  { state: 'running', summary: 'running' },
  { state: 'finished', summary: 'return code: 3' },
  { state: 'killed', summary: 'out of memory' },
  { state: 'aborted', summary: 'aborted: image' },
  { state: 'finished', summary: 'signal: SIGTERM' },
  { state: 'terminated', summary: 'terminated' },
  { state: 'configured', summary: 'configured' },
];

/** A deterministic mocked lab of Treadmill containers in every state, with their event timelines. */
export function createMockContainers(options: MockContainersOptions) {
  const perNode = options.perNode ?? 40;
  const base = Date.parse('2026-11-23T08:00:00Z');
  const rows = new Map<string, ContainerRow[]>();
  const events = new Map<string, ContainerEventLine[]>();
  nodes.forEach((node, n) => {
    const list: ContainerRow[] = [];
    for (let i = 0; i < perNode; i++) {
      const id = n * perNode + i;
      const app = `proid.app${id % 7}`;
      const instanceId = String(id).padStart(10, '0');
      const { state, summary } = cycle[id % cycle.length]!;
      const instance = `${app}#${instanceId}`;
      const at = (minutes: number) => new Date(base + (id * 3 + minutes) * 60_000).toISOString();
      list.push({
        node, unique: `${app}-${instanceId}-M${String(id).padStart(12, '0')}`, instance, app, proid: 'proid', state, summary,
        cleanupPending: state === 'finished' || state === 'killed' || state === 'terminated', environment: 'dev', memory: `${128 * (1 + (id % 4))}M`, cpu: '50%', disk: '1G', services: ['web_server'], changedAt: at(2), problems: [],
      });
      const timeline: ContainerEventLine[] = [
        { at: at(0), instance, type: 'scheduled', text: `scheduled on ${node}: schedule` },
        { at: at(1), instance, type: 'configured', text: `configured M${String(id).padStart(12, '0')}` },
      ];
      if (state !== 'configured') timeline.push({ at: at(1.5), instance, type: 'service_running', text: 'service web_server running' });
      if (state === 'finished') timeline.push({ at: at(2), instance, type: 'service_exited', text: `service web_server exited: ${summary}` }, { at: at(2), instance, type: 'finished', text: `finished: ${summary}` });
      if (state === 'killed') timeline.push({ at: at(2), instance, type: 'killed', text: 'killed, out of memory' });
      if (state === 'aborted') timeline.push({ at: at(2), instance, type: 'aborted', text: 'aborted: image' });
      events.set(`${node}\0${instance}`, timeline);
    }
    rows.set(node, list);
  });

  const scan = (node: string): ContainerScan => ({ node, root: '/var/tmp/treadmill', scannedAt: new Date().toISOString(), ms: 40 + nodes.indexOf(node) * 7, rows: rows.get(node)!, error: null, problems: [] });

  const handlers: Pick<Handlers, 'containers.list' | 'containers.trace'> = {
    'containers.list': async ({ nodes: names }) => {
      const unknown = (names ?? []).filter((name) => !nodes.includes(name));
      if (unknown.length > 0) throw new SlipwayError('bad_request', `not in the inventory: ${unknown.join(', ')}`, 'nodes');
      const scans = (names ?? nodes).map(scan);
      for (const result of scans) options.bus.publish('containers.scan', result);
      return scans;
    },
    'containers.trace': async ({ node, instance }) => events.get(`${node}\0${instance}`) ?? [],
  };
  return { handlers };
}
