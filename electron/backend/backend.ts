import type { z } from 'zod';
import type { BackendKind, CommandName, Commands, ResponseOf } from '../../shared/contract/index.js';
import type { EventBus } from './event-bus.js';

/** One handler per command; the dispatcher has validated the payload already. */
export type Handlers = {
  [C in CommandName]: (payload: z.output<Commands[C]['request']>) => Promise<ResponseOf<C>>;
};

/**
 * What a transport needs from a backend. Real and mocked backends both provide
 * it; neither knows of Electron or HTTP.
 */
export interface Backend {
  readonly kind: BackendKind;
  readonly bus: EventBus;
  readonly handlers: Handlers;
  /** Work to run once when the backend starts (first readiness probe, journal recovery…). */
  start(): void;
  close(): Promise<void>;
}
