import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../shared/contract/index.js';
import { createClientContext } from '../backend/client-context.js';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { createNodeService, type NodeService } from '../nodes/node-service.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';
import { createTerminalService, type TerminalChannel } from './terminal-service.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

/** One console's view of its terminals: the client events it received, and the screen text per session. */
function consoleClient() {
  const events: ClientEvent[] = [];
  const context = createClientContext('root-test', (topic, payload) => events.push({ topic, payload } as ClientEvent));
  const bytes = (session: string) =>
    Buffer.concat(
      events.flatMap((e) => (e.topic === 'terminal.output' && e.payload.session === session ? [Buffer.from(e.payload.data, 'base64')] : [])),
    );
  const closed = (session: string) => {
    for (const e of events) if (e.topic === 'terminal.closed' && e.payload.session === session) return e.payload;
    return null;
  };
  return { context, events, screen: (session: string) => bytes(session).toString('utf8'), bytes, closed };
}

const typed = (text: string) => Buffer.from(text).toString('base64');

describe.runIf(canRun)('terminals over the pool to a real sshd node (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-terminal-'));
  let fleet: Fleet;
  let nodes: NodeService;
  let untrusting: NodeService;
  const flow = { pauses: 0, resumes: 0 };

  beforeAll(async () => {
    chmodSync(dir, 0o755); // sshd reads the test user's authorized_keys below it
    fleet = await startFleet({ count: 1, dir: join(dir, 'fleet'), firstOctet: 235, port: 2311, user: 'slipway-test' });
    const node = fleet.nodes[0]!;
    saveInventory(join(dir, 'nodes.yaml'), [{ name: 'term1', host: node.host, port: node.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: [] }]);
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    const service = (known: string) =>
      createNodeService({ bus: new EventBus(), inventoryPath: join(dir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: known, pollMs: 60_000, interactive: false });
    nodes = service(join(dir, 'known_hosts'));
    untrusting = service(join(dir, 'empty_known_hosts'));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([nodes?.close(), untrusting?.close()]);
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The pool's pty, with its pauses and resumes counted. */
  const terminals = () =>
    createTerminalService({
      openPty: async (name, size): Promise<TerminalChannel> => {
        const channel = await nodes.access(name).openPty(size);
        return { ...channel, pause: () => (flow.pauses++, channel.pause()), resume: () => (flow.resumes++, channel.resume()) };
      },
    });

  it('runs echo $((6*7)) in a login shell, passes a resize through, and reports the exit status', { timeout: 60_000 }, async () => {
    const service = terminals();
    const client = consoleClient();
    const { session } = await service.open('term1', { cols: 80, rows: 24 }, client.context);
    service.input(session, typed('echo $((6*7))\r'), client.context);
    await expect.poll(() => client.screen(session), { timeout: 20_000 }).toMatch(/42\r\n/); // typed before the prompt, it may follow it on one line: "$ 42"
    service.resize(session, 132, 43, client.context);
    service.input(session, typed('stty size\r'), client.context);
    await expect.poll(() => client.screen(session), { timeout: 20_000 }).toMatch(/\r\n43 132\r\n/);
    service.input(session, typed('exit 3\r'), client.context);
    await expect.poll(() => client.closed(session), { timeout: 20_000 }).toEqual({ session, reason: 'exit', exitCode: 3, signal: null, message: 'closed: exit 3' });
    expect(service.count()).toBe(0);
  });

  it('pauses the node’s output while the console has not acknowledged enough, and loses nothing', { timeout: 60_000 }, async () => {
    const service = terminals();
    const client = consoleClient();
    const { session } = await service.open('term1', { cols: 80, rows: 24 }, client.context);
    const total = 3 * 1024 * 1024;
    // Three MiB of Z (octal 132, so the typed line holds none), then a marker (computed, so the typed line does not hold it): far more than the window of 256 KiB.
    service.input(session, typed(`head -c ${total} /dev/zero | tr '\\0' '\\132'; echo; echo END-OF-$((6*7))\r`), client.context);
    await expect.poll(() => flow.pauses, { timeout: 20_000 }).toBeGreaterThan(0);
    // Paused at the high mark: what arrived is bounded by the window and one chunk.
    const atPause = client.bytes(session).length;
    expect(atPause).toBeLessThan(256 * 1024 + 64 * 1024);
    expect(atPause).toBeGreaterThanOrEqual(256 * 1024);
    // Acknowledge as the renderer does (what was written), until the marker shows.
    let acked = 0;
    await expect
      .poll(
        () => {
          const received = client.bytes(session).length;
          if (received > acked) service.ack(session, received - acked, client.context);
          acked = received;
          return client.screen(session).includes('END-OF-42');
        },
        { timeout: 40_000, interval: 5 },
      )
      .toBe(true);
    expect(flow.resumes).toBeGreaterThan(0);
    expect(client.screen(session).split('Z').length - 1).toBe(total);
    expect(service.close(session, client.context)).toBe(true);
    await expect.poll(() => client.closed(session)?.reason, { timeout: 20_000 }).toBe('closed');
  });

  it('ends the session when its console goes away', { timeout: 60_000 }, async () => {
    const service = terminals();
    const client = consoleClient();
    await service.open('term1', { cols: 80, rows: 24 }, client.context);
    client.context.end();
    await expect.poll(() => service.count(), { timeout: 20_000 }).toBe(0);
  });

  it('refuses a node whose host key is not known, as every pool command does', { timeout: 60_000 }, async () => {
    const service = createTerminalService({ openPty: (name, size) => untrusting.access(name).openPty(size) });
    const client = consoleClient();
    await expect(service.open('term1', { cols: 80, rows: 24 }, client.context)).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/host key/) });
    expect(client.events).toEqual([]);
  });
});
