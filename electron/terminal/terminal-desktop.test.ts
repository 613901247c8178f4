import { describe, expect, it } from 'vitest';
import type { SlipwayBridge } from '../../shared/bridge.js';
import type { ClientEvent, SlipwayEvent } from '../../shared/contract/index.js';
import { createFrameClient } from '../../renderer/src/connection/frame-client.js';
import { createIpcLink } from '../../renderer/src/connection/ipc-link.js';
import { createMockBackend } from '../mock/mock-backend.js';
import { openClientSession } from '../transport/client-session.js';

/** The renderer's frame client over the desktop link, joined to the backend's client session (frames cloned as IPC clones them). */
function desktop(backend: ReturnType<typeof createMockBackend>) {
  const listeners: ((frame: unknown) => void)[] = [];
  const session = openClientSession(backend, (frame) => listeners.forEach((listener) => listener(structuredClone(frame))));
  const bridge: SlipwayBridge = {
    send: (frame) => session.receive(structuredClone(frame)),
    onFrame(listener) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
  return { host: createFrameClient(createIpcLink(bridge)), session };
}

describe('a terminal through the renderer’s frame client', () => {
  it('delivers output and the end as validated client events, outside the bus’s sequence', async () => {
    const backend = createMockBackend({ stepMs: 1, nodePollMs: 60_000 });
    const { host, session } = desktop(backend);
    const clientEvents: ClientEvent[] = [];
    const busEvents: SlipwayEvent[] = [];
    let resyncs = 0;
    host.onClientEvent((event) => clientEvents.push(event));
    host.onEvent((event) => busEvents.push(event));
    host.onResync(() => (resyncs += 1));
    await expect.poll(() => resyncs).toBe(1); // the hello after connecting
    const { session: id } = await host.request('terminal.open', { node: 'rack1-n01', cols: 100, rows: 30 });
    await host.request('terminal.input', { session: id, data: Buffer.from('echo $((6*7))\r').toString('base64') });
    const screen = () =>
      clientEvents.flatMap((e) => (e.topic === 'terminal.output' ? [Buffer.from(e.payload.data, 'base64').toString()] : [])).join('');
    await expect.poll(screen).toMatch(/\r\n42\r\n/);
    await host.request('terminal.input', { session: id, data: Buffer.from('exit 4\r').toString('base64') });
    await expect.poll(() => clientEvents.at(-1)).toEqual({ topic: 'terminal.closed', payload: { session: id, reason: 'exit', exitCode: 4, signal: null, message: 'closed: exit 4' } });
    // Terminal traffic never shows as a gap in the bus's sequence: no resync beyond the first.
    expect(resyncs).toBe(1);
    expect(busEvents.filter((e) => e.topic.startsWith('terminal.'))).toEqual([]);
    session.close();
    await backend.close();
  });
});
