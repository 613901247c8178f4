import type { SlipwayBridge } from '../../../shared/bridge.js';
import { createFrameClient, type HostConnection } from './frame-client.js';
import { createIpcLink } from './ipc-link.js';
import { createWsLink } from './ws-link.js';

declare global {
  interface Window {
    slipway?: SlipwayBridge;
  }
}

let current: HostConnection | null = null;

/** The renderer depends on a host interface, not on Electron: IPC in the window, WebSocket in a browser. */
export function connectHost(): HostConnection {
  current = createFrameClient(window.slipway ? createIpcLink(window.slipway) : createWsLink(window.location));
  return current;
}

export function setHost(host: HostConnection): void {
  current = host;
}

export function host(): HostConnection {
  if (!current) throw new Error('host not connected');
  return current;
}
