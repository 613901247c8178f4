import { ClientFrame, type EventBatchFrame, type ResponseFrame, type ResyncFrame } from '../../shared/contract/index.js';
import type { Backend } from '../backend/backend.js';
import { dispatch } from './dispatcher.js';
import { createEventPump } from './event-pump.js';

export type ServerFrameOut = ResponseFrame | EventBatchFrame | ResyncFrame;

export interface ClientSession {
  /** A raw frame from the client, validated here before anything acts on it. */
  receive(raw: unknown): void;
  /** Requests received and not answered yet: a transport stops reading past its limit. */
  inFlight(): number;
  /** The renderer reloaded (a desktop window): its event sequence starts again. */
  reset(): void;
  close(): void;
}

/**
 * One connected renderer, whatever carries its frames (IPC in electron/main/,
 * WebSocket in electron/web/): requests are dispatched, events pumped with acks.
 */
export function openClientSession(backend: Backend, send: (frame: ServerFrameOut) => void): ClientSession {
  const pump = createEventPump({ bus: backend.bus, send });
  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    receive(raw) {
      const parsed = ClientFrame.safeParse(raw);
      if (!parsed.success) return; // a malformed frame has no id to answer; drop it
      const frame = parsed.data;
      if (frame.type === 'ack') {
        pump.ack(frame.batch);
        return;
      }
      inFlight += 1;
      void dispatch(backend.handlers, frame.id, frame.command, frame.payload).then((response) => {
        inFlight -= 1;
        send(response);
      });
    },
    reset() {
      pump.reset();
    },
    close() {
      pump.close();
    },
  };
}
