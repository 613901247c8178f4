import type { EventEnvelope, PayloadOf, Topic } from '../../shared/contract/index.js';

export type EventListener = (event: EventEnvelope) => void;

/**
 * One ordered stream of events for the whole backend. The sequence number is
 * global so a client can tell a gap from a quiet topic.
 */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<EventListener>();

  get lastSeq(): number {
    return this.seq;
  }

  publish<T extends Topic>(topic: T, payload: PayloadOf<T>): void {
    this.seq += 1;
    const event: EventEnvelope = { topic, seq: this.seq, payload };
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
