import type { z } from 'zod';
import type { BackendKind, CommandName, Commands, ResponseOf } from '../../shared/contract/index.js';
import type { ClientContext } from './client-context.js';
import type { EventBus } from './event-bus.js';

/**
 * One handler per command; the dispatcher has validated the payload already.
 * `client` is the connected client that sent it (absent for in-process callers):
 * what a handler keeps for one client only (a terminal) is tied to it.
 */
export type Handlers = {
  [C in CommandName]: (payload: z.output<Commands[C]['request']>, client?: ClientContext) => Promise<ResponseOf<C>>;
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
