import type { EventBatchFrame, EventEnvelope, ResyncFrame } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import { rememberFrameText } from './frame-text.js';

export interface EventPumpOptions {
  bus: EventBus;
  send: (frame: EventBatchFrame | ResyncFrame) => void;
  /** One batch per UI frame at most. */
  flushMs?: number;
  maxBatch?: number;
  /** A frame's size in bytes of JSON: a renderer parses a frame in one go, so it must stay small. One larger event goes alone. */
  maxFrameBytes?: number;
  /** Batches sent but not yet acked by the client before the pump holds back. */
  maxUnacked?: number;
  /** Events held for a stalled client before they are dropped for a resync. */
  maxQueued?: number;
  /** The same bound in bytes: a few huge events weigh more than many small ones. */
  maxQueuedBytes?: number;
}

export interface EventPump {
  ack(batch: number): void;
  /** The client restarted (a reload): it holds no batches and loads snapshots itself. */
  reset(): void;
  close(): void;
}

/** An event as queued: serialised and encoded once, when published; its bytes are its weight. */
interface Queued {
  event: EventEnvelope;
  data: Buffer;
  bytes: number;
}

const comma = Buffer.from(',');
const frameEnd = Buffer.from(']}');

/** 256 KiB: a frame parses in a few milliseconds in a renderer, and four in flight keep the pipe full. */
export const defaultMaxFrameBytes = 256 * 1024;

/**
 * Carries bus events to one client in frame-sized batches with backpressure:
 * a client that stops acking first has its events held, then dropped, and is
 * told to resync (refetch snapshots) once it catches up. Memory stays bounded
 * whatever the client does. Frames are bounded in events and in bytes.
 */
export function createEventPump(options: EventPumpOptions): EventPump {
  const { bus, send } = options;
  const flushMs = options.flushMs ?? 16;
  const maxBatch = options.maxBatch ?? 1_000;
  const maxFrameBytes = options.maxFrameBytes ?? defaultMaxFrameBytes;
  const maxUnacked = options.maxUnacked ?? 4;
  const maxQueued = options.maxQueued ?? 20_000;
  const maxQueuedBytes = options.maxQueuedBytes ?? 128 * 1024 * 1024;

  // A queue read from `head` on: taking a frame's events off the front costs nothing per event left.
  let queue: Queued[] = [];
  let head = 0;
  let queuedBytes = 0;
  const unacked = new Set<number>();
  let nextBatch = 0;
  let dropped = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const clear = () => {
    queue = [];
    head = 0;
    queuedBytes = 0;
  };

  /** The next frame's events off the queue: as many as fit the byte bound, at least one. */
  function takeFrame(): Queued[] {
    const taken: Queued[] = [];
    let bytes = 0;
    while (head < queue.length && taken.length < maxBatch) {
      const next = queue[head]!;
      if (taken.length > 0 && bytes + next.bytes + 1 > maxFrameBytes) break;
      taken.push(next);
      bytes += next.bytes + 1;
      head += 1;
    }
    queuedBytes -= bytes;
    if (head === queue.length) clear();
    else if (head > 4_096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    return taken;
  }

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
    while (head < queue.length && unacked.size < maxUnacked) {
      const taken = takeFrame();
      const batch = nextBatch++;
      unacked.add(batch);
      const frame: EventBatchFrame = { type: 'events', batch, events: taken.map((q) => q.event) };
      // The events' own bytes, joined: nothing is encoded again for the socket.
      const parts: Buffer[] = [Buffer.from(`{"type":"events","batch":${batch},"events":[`)];
      taken.forEach((q, i) => (i === 0 ? parts.push(q.data) : parts.push(comma, q.data)));
      parts.push(frameEnd);
      rememberFrameText(frame, Buffer.concat(parts));
      send(frame);
    }
  }

  function schedule(delay: number): void {
    timer ??= setTimeout(flush, delay);
  }

  const unsubscribe = bus.subscribe((event) => {
    if (dropped) return;
    const data = Buffer.from(JSON.stringify(event));
    const bytes = data.length;
    queue.push({ event, data, bytes });
    queuedBytes += bytes;
    if (queue.length - head > maxQueued || queuedBytes > maxQueuedBytes) {
      clear();
      dropped = true;
    }
    schedule(flushMs);
  });

  return {
    ack(batch) {
      if (!unacked.delete(batch)) return;
      if (head < queue.length || dropped) schedule(0);
    },
    reset() {
      unacked.clear();
      clear();
      dropped = false;
    },
    close() {
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      clear();
    },
  };
}
