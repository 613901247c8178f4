import type { CommandName, EventBatchFrame, RequestOf, ResponseFrame, ResyncFrame } from './contract/index.js';

/**
 * What the Electron preload exposes on `window.slipway`, and nothing more.
 * Frames are validated by the renderer, as on the WebSocket.
 */
export interface SlipwayBridge {
  request<C extends CommandName>(command: C, payload: RequestOf<C>): Promise<ResponseFrame>;
  onFrame(listener: (frame: EventBatchFrame | ResyncFrame) => void): () => void;
  ack(batch: number): void;
}

export const ipcChannels = {
  request: 'slipway:request',
  frame: 'slipway:frame',
  ack: 'slipway:ack',
} as const;
