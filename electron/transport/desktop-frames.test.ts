import { describe, expect, it } from 'vitest';
import type { SlipwayBridge } from '../../shared/bridge.js';
import type { SlipwayEvent } from '../../shared/contract/index.js';
import { createFrameClient } from '../../renderer/src/connection/frame-client.js';
import { createIpcLink } from '../../renderer/src/connection/ipc-link.js';
import { createMockBackend } from '../mock/mock-backend.js';
import { openClientSession } from './client-session.js';

/**
 * The desktop window's path without Electron: the renderer's IPC link and frame
 * client on one side, the backend's client session on the other, joined as the
 * preload and main process join them (frames cloned as IPC clones them).
 */
function desktop() {
  const backend = createMockBackend({ stepMs: 1 });
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

describe('the desktop window’s frames (IPC link ↔ client session)', () => {
  it('answers requests, refuses bad ones by field, and delivers events acknowledged in batches', async () => {
    const { host, session } = desktop();
    expect(await host.request('session.hello', {})).toMatchObject({ backend: 'mock' });
    await expect(host.request('readiness.check', { extra: true } as never)).rejects.toMatchObject({ code: 'bad_request' });
    const events: SlipwayEvent[] = [];
    host.onEvent((event) => events.push(event));
    await host.request('readiness.check', {});
    await expect.poll(() => events.some((event) => event.topic === 'readiness.report'), { timeout: 10_000 }).toBe(true);
    expect(session.inFlight()).toBe(0);
    session.close();
  });
});
