import type { SlipwayBridge } from '../../../shared/bridge.js';
import { createFrameClient, type BackendConnection } from './frame-client.js';
import { createIpcLink } from './ipc-link.js';
import { createWsLink } from './ws-link.js';

declare global {
  interface Window {
    slipway?: SlipwayBridge;
  }
}

let current: BackendConnection | null = null;

/** The renderer depends on a backend connection, not on Electron: IPC in the window, WebSocket in a browser. */
export function connectBackend(): BackendConnection {
  current = createFrameClient(window.slipway ? createIpcLink(window.slipway) : createWsLink(window.location));
  return current;
}

export function setBackend(connection: BackendConnection): void {
  current = connection;
}

export function backend(): BackendConnection {
  if (!current) throw new Error('not connected to the backend');
  return current;
}
