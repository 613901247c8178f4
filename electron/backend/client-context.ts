import type { ClientPayloadOf, ClientTopic } from '../../shared/contract/index.js';

/**
 * The connected client a request came from (one window, one WebSocket). What a
 * service holds for one client only (a terminal) is sent with `send`, which
 * reaches that client and no other, and ends when the client goes away.
 */
export interface ClientContext {
  /** For logs and ownership checks; never shown to other clients. */
  readonly id: string;
  /** An event for this client alone: never on the bus, never seen by another client. */
  send<T extends ClientTopic>(topic: T, payload: ClientPayloadOf<T>): void;
  /** Called once when the client goes away (disconnected, closed, or its page reloaded); returns an unsubscribe. */
  onGone(listener: () => void): () => void;
  readonly gone: boolean;
}

/** A client context for a transport: events go to `send`, `end()` tells its services it went away. */
export function createClientContext(id: string, send: (topic: ClientTopic, payload: unknown) => void): ClientContext & { end(): void } {
  const listeners = new Set<() => void>();
  let gone = false;
  return {
    id,
    get gone() {
      return gone;
    },
    send(topic, payload) {
      if (!gone) send(topic, payload);
    },
    onGone(listener) {
      if (gone) {
        queueMicrotask(listener);
        return () => undefined;
      }
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    end() {
      if (gone) return;
      gone = true;
      for (const listener of [...listeners]) {
        try {
          listener();
        } catch {
          // one service's cleanup does not stop another's
        }
      }
      listeners.clear();
    },
  };
}
