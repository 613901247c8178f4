import type { RequestFrame } from '../../../shared/contract/index.js';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'refused';

/**
 * A transport as the renderer sees it: frames out, raw frames in, and its state.
 * Everything coming in is validated above it, in the frame client.
 */
export interface Link {
  readonly kind: 'desktop' | 'web';
  send(frame: RequestFrame): void;
  ack(batch: number): void;
  onFrame(listener: (raw: unknown) => void): void;
  onState(listener: (state: LinkState, detail?: string) => void): void;
  /** Try again now (after a refusal, or to skip a backoff). */
  reconnect(): void;
}
