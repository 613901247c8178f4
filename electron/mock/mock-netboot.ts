import { SlipwayError, type netbootCommands, type NetbootServeRequest, type NetbootStatus, type NodeBoot } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import type { EventBus } from '../backend/event-bus.js';
import type { MockPublish } from './mock-publish.js';

type NetbootCommand = keyof typeof netbootCommands;
export type NetbootHandlers = Pick<Handlers, NetbootCommand>;

const tftpRoot = '/srv/tftp';

/** Three lab nodes with a netboot choice: one booted the current version, one the one before, one has never booted. */
function seedNodes(at: number): NodeBoot[] {
  const iso = (secondsAgo: number) => new Date(at - secondsAgo * 1000).toISOString();
  return [
    {
      node: 'node-a01',
      mac: '52:54:00:0a:00:01',
      choice: 'amd64/generic/bookworm/install',
      next: 'install-3f9c2a7d1e0b4c58',
      pinned: null,
      kept: ['install-0d77e1f2a9b3c611'],
      problem: null,
      last: { version: 'install-3f9c2a7d1e0b4c58', at: iso(300), ip: '10.20.0.51' },
      progress: [
        { stage: 'address', at: iso(430), detail: '10.20.0.51 (DHCP)' },
        { stage: 'config', at: iso(428), detail: 'pxelinux.cfg/01-52-54-00-0a-00-01 (TFTP)' },
        { stage: 'kernel', at: iso(426), detail: 'install-3f9c2a7d1e0b4c58 (TFTP)' },
        { stage: 'initrd', at: iso(416), detail: 'install-3f9c2a7d1e0b4c58 (TFTP)' },
        { stage: 'root', at: iso(380), detail: 'install-3f9c2a7d1e0b4c58, 159 MiB (HTTP) in 3.2 s' },
        { stage: 'booted', at: iso(300), detail: 'install-3f9c2a7d1e0b4c58 (phone-home from 10.20.0.51)' },
      ],
    },
    {
      node: 'node-a02',
      mac: '52:54:00:0a:00:02',
      choice: 'amd64/generic/bookworm/install',
      next: 'install-3f9c2a7d1e0b4c58',
      pinned: null,
      kept: ['install-0d77e1f2a9b3c611'],
      problem: null,
      last: { version: 'install-0d77e1f2a9b3c611', at: iso(86_400), ip: '10.20.0.52' },
      progress: [],
    },
    { node: 'node-b01', mac: '52:54:00:0b:00:01', choice: 'amd64/generic/trixie/compute', next: null, pinned: null, kept: [], problem: 'nothing published for amd64/generic/trixie/compute', last: null, progress: [] },
  ];
}

/** The netboot services and node boots as a lab console shows them; serve and stop change only this memory. */
export function createMockNetboot(options: { bus: EventBus; rollback: MockPublish['rollback'] }): { handlers: NetbootHandlers } {
  let request: NetbootServeRequest | null = null;
  let startedAt: string | null = null;
  const extraArgs: Record<string, string> = { install: 'quiet' };
  let nodes = seedNodes(Date.now());
  const current = new Map(nodes.map((n) => [n.node, n.next]));

  const status = (): NetbootStatus => {
    const running = request !== null;
    const where = request ? `${request.address ?? '10.20.0.1'}` : '';
    return {
      tftpRoot,
      request,
      httpBase: request ? `http://${where}:${request.httpPort}` : null,
      startedAt,
      extraArgs,
      services: [
        {
          name: 'tftp',
          program: 'dnsmasq',
          pid: running ? 41_230 : null,
          running,
          detail: running ? `TFTP on ${where} (${request!.interface}), ${request!.mode}` : 'not started',
          logTail: running ? [`dnsmasq[41230]: started, version 2.90 DNS disabled`, `dnsmasq-tftp[41230]: TFTP root is ${tftpRoot}`] : [],
        },
        {
          name: 'http',
          program: 'slipway netboot-http',
          pid: running ? 41_228 : null,
          running,
          detail: running ? `HTTP on ${where}:${request!.httpPort}` : 'not started',
          logTail: running ? [`listening on http://${where}:${request!.httpPort}/ serving ${tftpRoot}`] : [],
        },
      ],
    };
  };

  const handlers: NetbootHandlers = {
    'netboot.status': async () => status(),
    'netboot.serve': async (input) => {
      if (input.interface === 'eth9') throw new SlipwayError('bad_request', 'no interface eth9: Device "eth9" does not exist.', 'interface');
      if (input.httpPort === 80) throw new SlipwayError('failed', 'the HTTP server stopped at once: port 80 on 10.20.0.1 is in use by another program');
      request = input;
      startedAt = new Date().toISOString();
      options.bus.publish('netboot.changed', status());
      return status();
    },
    'netboot.stop': async () => {
      request = null;
      startedAt = null;
      options.bus.publish('netboot.changed', status());
      return status();
    },
    'netboot.nodes': async () => nodes,
    'netboot.setArgs': async ({ purpose, extraArgs: args }) => {
      if (args) extraArgs[purpose] = args;
      else delete extraArgs[purpose];
      options.bus.publish('netboot.changed', status());
      return status();
    },
    'netboot.rollback': async ({ version, host, ...target }) => options.rollback(target, version, host),
    'netboot.pin': async ({ node, version }) => {
      const found = nodes.find((n) => n.node === node);
      if (!found) throw new SlipwayError('bad_request', `${node} is not a netbooting node (no mac in the inventory)`, 'node');
      const all = [found.next, ...found.kept].filter((v): v is string => v !== null);
      if (version !== null && !all.includes(version)) throw new SlipwayError('bad_request', `${version} is not kept for ${found.choice}`, 'version');
      const next = version ?? current.get(node) ?? null;
      nodes = nodes.map((n) => (n.node === node ? { ...n, next, pinned: version, kept: all.filter((v) => v !== next) } : n));
      options.bus.publish('netboot.nodes', nodes);
      return nodes;
    },
  };
  return { handlers };
}
