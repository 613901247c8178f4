import { randomUUID } from 'node:crypto';
import { ClientFrame, type ClientEventsFrame, type EventBatchFrame, type ResponseFrame, type ResyncFrame } from '../../shared/contract/index.js';
import type { Backend } from '../backend/backend.js';
import { createClientContext } from '../backend/client-context.js';
import { dispatch } from './dispatcher.js';
import { createEventPump } from './event-pump.js';

export type ServerFrameOut = ResponseFrame | EventBatchFrame | ResyncFrame | ClientEventsFrame;

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
  // Events for this client alone (its terminals), sent as one frame per turn of the event loop.
  let direct: ClientEventsFrame['events'] = [];
  let directTimer: NodeJS.Immediate | null = null;
  const flushDirect = () => {
    directTimer = null;
    const events = direct;
    direct = [];
    if (events.length > 0) send({ type: 'client-events', events });
  };
  const newClient = () =>
    createClientContext(randomUUID(), (topic, payload) => {
      direct.push({ topic, payload });
      directTimer ??= setImmediate(flushDirect);
    });
  let client = newClient();
  /** The client went away (or its page reloaded): what it held ends, and nothing queued for it is sent. */
  const endClient = () => {
    client.end();
    direct = [];
    if (directTimer) clearImmediate(directTimer);
    directTimer = null;
  };
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
      void dispatch(backend.handlers, frame.id, frame.command, frame.payload, client).then((response) => {
        inFlight -= 1;
        send(response);
      });
    },
    reset() {
      pump.reset();
      endClient();
      client = newClient();
    },
    close() {
      pump.close();
      endClient();
    },
  };
}
