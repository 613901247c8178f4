import {
  ServerFrame,
  type ClientEvent,
  type CommandError,
  type CommandName,
  type HelloResponse,
  type RequestOf,
  type ResponseOf,
  type SlipwayEvent,
} from '../../../shared/contract/index.js';
import { parseClientEvent, parseEvent, parseResponse } from '../../../shared/contract/validate.js';
import type { Link, LinkState } from './link.js';

export class BackendError extends Error {
  constructor(
    readonly code: CommandError['code'] | 'disconnected',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export interface BackendConnection {
  readonly kind: Link['kind'];
  request<C extends CommandName>(command: C, payload: RequestOf<C>): Promise<ResponseOf<C>>;
  onEvent(listener: (event: SlipwayEvent) => void): () => void;
  /** Events for this client alone (its terminals): outside the bus's sequence. */
  onClientEvent(listener: (event: ClientEvent) => void): () => void;
  /** Stores refetch their snapshots: after (re)connecting, a gap in sequence numbers, or a resync from the backend. */
  onResync(listener: () => void): () => void;
  onState(listener: (state: LinkState, detail?: string, hello?: HelloResponse) => void): () => void;
  reconnect(): void;
}

interface Pending {
  command: CommandName;
  resolve(value: unknown): void;
  reject(error: BackendError): void;
}

function subscribers<A extends unknown[]>() {
  const set = new Set<(...args: A) => void>();
  return {
    add(listener: (...args: A) => void) {
      set.add(listener);
      return () => void set.delete(listener);
    },
    emit: (...args: A) => set.forEach((listener) => listener(...args)),
  };
}

/**
 * The renderer's end of the contract over any link: request ids, validation of
 * every response and event, sequence-gap detection and batch acks.
 */
export function createFrameClient(link: Link): BackendConnection {
  const pending = new Map<number, Pending>();
  const events = subscribers<[SlipwayEvent]>();
  const clientEvents = subscribers<[ClientEvent]>();
  const resyncs = subscribers<[]>();
  const states = subscribers<[LinkState, string | undefined, HelloResponse | undefined]>();
  let nextId = 1;
  let lastSeq: number | null = null;

  function resync(): void {
    resyncs.emit();
  }

  function onFrame(raw: unknown): void {
    const parsed = ServerFrame.safeParse(raw);
    if (!parsed.success) {
      console.warn('slipway: dropped a malformed frame from the backend', parsed.error.issues[0]);
      return;
    }
    const frame = parsed.data;
    if (frame.type === 'response') {
      const waiter = pending.get(frame.id);
      if (!waiter) return;
      pending.delete(frame.id);
      if (!frame.ok) return waiter.reject(new BackendError(frame.error.code, frame.error.message, frame.error.field));
      try {
        waiter.resolve(parseResponse(waiter.command, frame.result));
      } catch (error) {
        waiter.reject(new BackendError('bad_request', (error as Error).message));
      }
      return;
    }
    if (frame.type === 'resync') {
      lastSeq = frame.seq;
      resync();
      return;
    }
    if (frame.type === 'client-events') {
      for (const envelope of frame.events) {
        try {
          clientEvents.emit(parseClientEvent(envelope));
        } catch (error) {
          console.warn('slipway: dropped an invalid client event', (error as Error).message);
        }
      }
      return;
    }
    // Acked on receipt, before the events are applied: the backend sends the next frames while this
    // one is processed, so the pipe stays full (the pump bounds frames in flight, and each in bytes).
    link.ack(frame.batch);
    let gap = false;
    for (const envelope of frame.events) {
      if (lastSeq !== null && envelope.seq !== lastSeq + 1) gap = true;
      lastSeq = envelope.seq;
      try {
        events.emit(parseEvent(envelope));
      } catch (error) {
        console.warn('slipway: dropped an invalid event', (error as Error).message);
      }
    }
    if (gap) resync();
  }

  async function request<C extends CommandName>(command: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
    const id = nextId++;
    const answer = new Promise<ResponseOf<C>>((resolve, reject) => {
      pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
    });
    try {
      link.send({ type: 'request', id, command, payload });
    } catch (error) {
      pending.delete(id);
      throw new BackendError('disconnected', (error as Error).message);
    }
    return answer;
  }

  link.onFrame(onFrame);
  link.onState((state, detail) => {
    if (state !== 'connected') {
      for (const waiter of pending.values()) waiter.reject(new BackendError('disconnected', 'connection to the backend lost'));
      pending.clear();
      states.emit(state, detail, undefined);
      return;
    }
    lastSeq = null;
    request('session.hello', {}).then(
      (hello) => {
        lastSeq ??= hello.seq;
        states.emit('connected', undefined, hello);
        resync();
      },
      (error: BackendError) => states.emit('reconnecting', error.message, undefined),
    );
  });

  return {
    kind: link.kind,
    request,
    onEvent: events.add,
    onClientEvent: clientEvents.add,
    onResync: resyncs.add,
    onState: states.add,
    reconnect: () => link.reconnect(),
  };
}
