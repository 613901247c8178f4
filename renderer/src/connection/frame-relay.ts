/**
 * What the socket worker does with each message, kept free of the worker's globals so it is
 * tested as it is: parse, ack an event batch at once (the backend sends the next frames
 * while this one waits for the page), and hand frames on in arrival order, several per
 * post, so the page's thread takes one message per tick of frames rather than one per frame.
 */

/** Worker to page: frames, already parsed, in the order they came; the socket's ends. */
export type RelayOut = { kind: 'frames'; frames: unknown[] } | { kind: 'open' } | { kind: 'closed' };

/** Page to worker. */
export type RelayIn = { kind: 'open'; url: string } | { kind: 'send'; text: string } | { kind: 'close' };

export interface FrameRelayOptions {
  /** Sends an ack's text on the socket. */
  ack(text: string): void;
  /** Posts frames to the page. */
  post(frames: unknown[]): void;
  /** Runs `flush` later (a timer in the worker). */
  later(flush: () => void): void;
  /** Frames held before a post regardless of the timer: bounds one post's size, so the page's task that takes it stays short. */
  maxHeld?: number;
}

export interface FrameRelay {
  /** One message's text from the socket. */
  take(text: string): void;
  /** Posts whatever is held (the socket closed). */
  flush(): void;
}

const isEventBatch = (frame: unknown): frame is { type: 'events'; batch: number } =>
  typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'events' && Number.isInteger((frame as { batch?: unknown }).batch);

export function createFrameRelay(options: FrameRelayOptions): FrameRelay {
  const maxHeld = options.maxHeld ?? 4;
  let held: unknown[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (held.length === 0) return;
    const frames = held;
    held = [];
    options.post(frames);
  }

  return {
    take(text) {
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        return; // the page validates what it gets; a frame that is not JSON is nothing to it
      }
      if (isEventBatch(frame)) {
        options.ack(JSON.stringify({ type: 'ack', batch: frame.batch }));
        held.push(frame);
        if (held.length >= maxHeld) flush();
        else if (!scheduled) {
          scheduled = true;
          options.later(flush);
        }
        return;
      }
      // Anything else (a response, a resync) goes now, after the events before it, so order holds.
      held.push(frame);
      flush();
    },
    flush,
  };
}
