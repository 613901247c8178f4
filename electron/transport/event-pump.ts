import type { EventBatchFrame, EventEnvelope, ResyncFrame } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';

export interface EventPumpOptions {
  bus: EventBus;
  send: (frame: EventBatchFrame | ResyncFrame) => void;
  /** One batch per UI frame at most. */
  flushMs?: number;
  maxBatch?: number;
  /** Batches sent but not yet acked by the client before the pump holds back. */
  maxUnacked?: number;
  /** Events held for a stalled client before they are dropped for a resync. */
  maxQueued?: number;
}

export interface EventPump {
  ack(batch: number): void;
  /** The client restarted (a reload): it holds no batches and loads snapshots itself. */
  reset(): void;
  close(): void;
}

/**
 * Carries bus events to one client in frame-sized batches with backpressure:
 * a client that stops acking first has its events held, then dropped, and is
 * told to resync (refetch snapshots) once it catches up. Memory stays bounded
 * whatever the client does.
 */
export function createEventPump(options: EventPumpOptions): EventPump {
  const { bus, send } = options;
  const flushMs = options.flushMs ?? 16;
  const maxBatch = options.maxBatch ?? 1_000;
  const maxUnacked = options.maxUnacked ?? 4;
  const maxQueued = options.maxQueued ?? 20_000;

  let queue: EventEnvelope[] = [];
  const unacked = new Set<number>();
  let nextBatch = 0;
  let dropped = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function flush(): void {
    timer = null;
    if (closed) return;
    if (dropped) {
      if (unacked.size > 0) return;
      // Caught up: everything up to now is covered by the snapshots the client refetches.
      dropped = false;
      send({ type: 'resync', seq: bus.lastSeq });
      return;
    }
    while (queue.length > 0 && unacked.size < maxUnacked) {
      const events = queue.slice(0, maxBatch);
      queue = queue.slice(events.length);
      const batch = nextBatch++;
      unacked.add(batch);
      send({ type: 'events', batch, events });
    }
  }

  function schedule(delay: number): void {
    timer ??= setTimeout(flush, delay);
  }

  const unsubscribe = bus.subscribe((event) => {
    if (dropped) return;
    queue.push(event);
    if (queue.length > maxQueued) {
      queue = [];
      dropped = true;
    }
    schedule(flushMs);
  });

  return {
    ack(batch) {
      if (!unacked.delete(batch)) return;
      if (queue.length > 0 || dropped) schedule(0);
    },
    reset() {
      unacked.clear();
      queue = [];
      dropped = false;
    },
    close() {
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      queue = [];
    },
  };
}
