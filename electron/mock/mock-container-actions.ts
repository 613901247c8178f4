import type { ContainerAction, ContainerEventLine, ContainerManifest, containerActionCommands } from '../../shared/contract/index.js';
import { SlipwayError } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import { factsOf, freshFacts, serviceEnding, serviceUp, stateOf, type ContainerFacts } from './mock-container-facts.js';
import { parseMockManifest } from './mock-container-manifest.js';
import { labNodes, line, noFinish, uniqueId, type LabContainer, type LabRow, type NodeLab } from './mock-container-lab.js';

/**
 * `containers.configure` and `containers.act` on the mocked lab, refusing
 * what the real node scripts refuse (electron/containers/container-scripts.ts)
 * in their words. A container configured here starts only when told; its
 * service then ends `serviceMs` later if its command says `exit N` or its
 * memory is tiny, and runs until stopped or terminated otherwise. After each
 * change the node's new events and its scan are published, as the real
 * service's re-scan after an action does.
 */

type ActionCommand = keyof typeof containerActionCommands;

/** The users that exist on every mocked node: a manifest's proid must be one of them. */
export const labProids: readonly string[] = ['root', 'proid', 'lab', 'ops', 'treadmld'];
/** The raw images (Slipway builds with `container: raw`) on every mocked node. */
export const labImages: readonly string[] = ['/srv/images/lab-node.root.img', '/srv/images/lab-base.root.img'];

export interface MockContainerActionsDeps {
  labs: ReadonlyMap<string, NodeLab>;
  now(): number;
  /** Between a start and the end of a service that ends on its own. */
  serviceMs: number;
  /** The lab's next sequence number: unique ids never repeat. */
  nextSeq(): number;
  publish(node: string, events: ContainerEventLine[]): void;
}

interface Operated {
  facts: ContainerFacts;
  service: string;
  /** What its service runs and has; null for a seeded container, whose command the mock never knew. */
  spec: { command: string; memory: string } | null;
  timer: NodeJS.Timeout | null;
}

const failed = (action: string, instance: string, why: string) => new SlipwayError('failed', `${action} ${instance}: ${why}`);

export function createMockContainerActions(deps: MockContainerActionsDeps) {
  const operated = new Map<string, Operated>();
  const keyOf = (node: string, unique: string) => `${node}\0${unique}`;

  function labOf(name: string, what: string): NodeLab {
    const node = labNodes.find((n) => n.name === name);
    if (!node) throw new SlipwayError('bad_request', `no node named ${name} in the inventory`, 'node');
    const lab = deps.labs.get(name);
    if (!lab) throw new SlipwayError('failed', `${what} on ${name}: ${node.unreachable ?? 'not a Treadmill node'}`);
    return lab;
  }

  /** `proid.app#<10 digits>` from the clock, as the real configure names it; the next free number on a collision. */
  function newInstance(lab: NodeLab, app: string): string {
    const taken = new Set([...lab.containers.map((c) => c.row.instance), ...lab.gone.map((e) => e.instance)]);
    let id = deps.now() % 1e10;
    while (taken.has(`${app}#${String(id).padStart(10, '0')}`)) id = (id + 1) % 1e10;
    return `${app}#${String(id).padStart(10, '0')}`;
  }

  /** Writes the new facts to the container's row, appends its events, and publishes the node. */
  function change(lab: NodeLab, unique: string, facts: ContainerFacts, events: ContainerEventLine[]): void {
    const index = lab.containers.findIndex((c) => c.row.unique === unique);
    if (index < 0) return;
    const held = lab.containers[index]!;
    const at = events.at(-1)?.at ?? new Date(deps.now()).toISOString();
    const row: LabRow = { ...held.row, ...stateOf(facts, held.row.services[0] ?? 'main', Date.parse(at)), changedAt: at };
    lab.containers = lab.containers.with(index, { row, events: [...held.events, ...events] });
    deps.publish(lab.node.name, events);
  }

  type Ending = { oom: true } | { oom: false; rc: number; signal: number };

  /** Ends the service if it is up, as the real finish script does (down, exitinfo or oom, the cleanup/ link; the running/ link stays): its events. */
  function endNow(entry: Operated, row: LabRow, how: Ending): ContainerEventLine[] {
    if (!serviceUp(entry.facts)) return [];
    const { instance, node } = row;
    const uniqueId = row.unique.slice(-13);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    const at = deps.now();
    if (how.oom) {
      entry.facts = { ...entry.facts, oom: true, cleanup: true };
      return [line(at, instance, node, { type: 'killed', oom: true })];
    }
    const exit = { rc: how.rc, signal: how.signal };
    entry.facts = { ...entry.facts, exit, cleanup: true };
    return [line(at, instance, node, { type: 'service_exited', uniqueId, service: entry.service, ...exit }), line(at + 10, instance, node, { type: 'finished', ...exit })];
  }

  function endService(lab: NodeLab, unique: string, how: Ending): void {
    const entry = operated.get(keyOf(lab.node.name, unique));
    const container = lab.containers.find((c) => c.row.unique === unique);
    if (!entry || !container) return;
    const events = endNow(entry, container.row, how);
    if (events.length > 0) change(lab, unique, entry.facts, events);
  }

  function start(lab: NodeLab, container: LabContainer, entry: Operated): string {
    const { unique, instance } = container.row;
    if (entry.facts.cleanup) throw failed('start', instance, `${unique} has ended: configure a new one`);
    if (entry.facts.running) return 'started';
    entry.facts = { ...entry.facts, running: true };
    change(lab, unique, entry.facts, [line(deps.now(), instance, lab.node.name, { type: 'service_running', uniqueId: unique.slice(-13), service: entry.service })]);
    const ending = entry.spec && serviceEnding(entry.spec.command, entry.spec.memory);
    if (ending) {
      entry.timer = setTimeout(() => endService(lab, unique, ending.oom ? { oom: true } : { oom: false, rc: ending.rc, signal: 0 }), deps.serviceMs);
      entry.timer.unref();
    }
    return 'started';
  }

  /** As the real terminate: down (TERM to a service still up), the running/ link moved to cleanup/, data/terminated. */
  function terminate(lab: NodeLab, container: LabContainer, entry: Operated): string {
    const events = endNow(entry, container.row, { oom: false, rc: 256, signal: 15 });
    entry.facts = { ...entry.facts, running: false, cleanup: true, terminated: true };
    change(lab, container.row.unique, entry.facts, events);
    return 'terminated';
  }

  function remove(lab: NodeLab, container: LabContainer, entry: Operated): string {
    const { unique, instance } = container.row;
    if (entry.facts.running) throw failed('remove', instance, `${unique} is still in running/: terminate it first`);
    if (!entry.facts.cleanup) throw failed('remove', instance, `${unique} is not in cleanup/`);
    lab.containers = lab.containers.filter((c) => c.row.unique !== unique);
    lab.gone.push(...container.events);
    operated.delete(keyOf(lab.node.name, unique));
    deps.publish(lab.node.name, []);
    return 'removed';
  }

  function act(lab: NodeLab, container: LabContainer, action: ContainerAction): string {
    const key = keyOf(lab.node.name, container.row.unique);
    // A seeded container acted on leaves the lab's own life: from now on the operator moves it.
    const entry = operated.get(key) ?? { facts: factsOf(container.row), service: container.row.services[0] ?? 'main', spec: null, timer: null };
    operated.set(key, entry);
    switch (action) {
      case 'start':
        return start(lab, container, entry);
      case 'stop':
        if (!entry.facts.running) throw failed('stop', container.row.instance, `s6-svc: fatal: unable to control running/${container.row.instance}: No such file or directory`);
        endService(lab, container.row.unique, { oom: false, rc: 256, signal: 15 });
        return 'stopped';
      case 'terminate':
        return terminate(lab, container, entry);
      case 'remove':
        return remove(lab, container, entry);
    }
  }

  function configure(lab: NodeLab, manifest: ContainerManifest): { instance: string; unique: string } {
    const instance = newInstance(lab, `${manifest.proid}.${manifest.name}`);
    if (!labProids.includes(manifest.proid)) throw failed('configure', instance, `proid ${manifest.proid} does not exist on this node`);
    if (!labImages.includes(manifest.image)) throw failed('configure', instance, `no image file ${manifest.image} on this node`);
    const id = uniqueId(deps.nextSeq());
    const unique = `${instance.replace('#', '-')}-${id}`;
    const [service] = manifest.services;
    const at = deps.now();
    const row: LabRow = {
      node: lab.node.name, unique, instance, app: `${manifest.proid}.${manifest.name}`, proid: manifest.proid, state: 'configured', summary: 'configured', cleanupPending: false, ...noFinish,
      environment: manifest.environment, memory: manifest.memory, cpu: manifest.cpu, disk: manifest.disk, services: [service!.name], changedAt: new Date(at).toISOString(), problems: [],
    };
    const events = [line(at, instance, lab.node.name, { type: 'configured', uniqueId: id })];
    lab.containers = [...lab.containers, { row, events }];
    operated.set(keyOf(lab.node.name, unique), { facts: freshFacts(), service: service!.name, spec: { command: service!.command, memory: manifest.memory }, timer: null });
    deps.publish(lab.node.name, events);
    return { instance, unique };
  }

  const handlers: Pick<Handlers, ActionCommand> = {
    'containers.configure': async ({ node, manifest }) => configure(labOf(node, 'configure'), parseMockManifest(manifest)),
    'containers.act': async ({ node, instance, action }) => {
      const lab = labOf(node, action);
      const container = lab.containers.find((c) => c.row.instance === instance || c.row.unique === instance);
      if (!container) {
        const placed = lab.placed.some((p) => p.row.instance === instance);
        throw new SlipwayError('bad_request', placed ? `${instance} on ${node} is placed: it has no container directory` : `no container ${instance} on ${node}`, 'instance');
      }
      // As the real service: an archived container's directory is gone.
      if (container.row.state === 'archived') throw new SlipwayError('bad_request', `${instance} on ${node} is archived: it has no container directory`, 'instance');
      return { done: act(lab, container, action) };
    },
  };

  return {
    handlers,
    /** The operator moves it: the lab's re-scans leave it alone. */
    isOperated: (node: string, unique: string) => operated.has(keyOf(node, unique)),
    close(): void {
      for (const entry of operated.values()) if (entry.timer) clearTimeout(entry.timer);
    },
  };
}
