import type { SlipwayBridge } from '../../../shared/bridge.js';
import type { Link, LinkState } from './link.js';

/** The desktop window: the same frames as the WebSocket, through the preload's bridge to the main process. */
export function createIpcLink(bridge: SlipwayBridge): Link {
  const frameListeners: ((raw: unknown) => void)[] = [];
  bridge.onFrame((raw) => frameListeners.forEach((listener) => listener(raw)));
  return {
    kind: 'desktop',
    send: (frame) => bridge.send(frame),
    ack: (batch) => bridge.send({ type: 'ack', batch }),
    onFrame: (listener) => frameListeners.push(listener),
    onState(listener: (state: LinkState) => void) {
      // IPC to our own main process is up as long as the window is.
      queueMicrotask(() => listener('connected'));
    },
    reconnect() {},
  };
}
