import type { ClientFrame } from './contract/index.js';

/**
 * What the Electron preload exposes on `window.slipway`, and nothing more:
 * the same frames as the WebSocket carries, in both directions. Frames are
 * validated where they are received (the main process's client session, the
 * renderer's frame client).
 */
export interface SlipwayBridge {
  send(frame: ClientFrame): void;
  /** Responses, event batches and resyncs, as raw frames. */
  onFrame(listener: (frame: unknown) => void): () => void;
}

export const ipcChannels = {
  /** Renderer → main: request and ack frames. */
  toMain: 'slipway:client-frame',
  /** Main → renderer: response, event and resync frames. */
  toRenderer: 'slipway:frame',
} as const;
