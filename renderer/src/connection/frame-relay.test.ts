import { describe, expect, it } from 'vitest';
import { createFrameRelay } from './frame-relay.js';

function relay(maxHeld?: number) {
  const acks: string[] = [];
  const posts: unknown[][] = [];
  const timers: (() => void)[] = [];
  const r = createFrameRelay({ ack: (text) => acks.push(text), post: (frames) => posts.push(frames), later: (flush) => timers.push(flush), maxHeld });
  return { r, acks, posts, timers };
}

const events = (batch: number) => JSON.stringify({ type: 'events', batch, events: [{ seq: batch, topic: 'x', payload: null }] });

describe('createFrameRelay', () => {
  it('acks each event batch on receipt and posts the batches of one tick together, parsed', () => {
    const { r, acks, posts, timers } = relay();
    r.take(events(0));
    r.take(events(1));
    expect(acks).toEqual(['{"type":"ack","batch":0}', '{"type":"ack","batch":1}']);
    expect(posts).toEqual([]);
    expect(timers).toHaveLength(1);
    timers[0]!();
    expect(posts).toEqual([[JSON.parse(events(0)), JSON.parse(events(1))]]);
  });

  it('posts at once past maxHeld frames, so one post stays small', () => {
    const { r, posts } = relay(2);
    r.take(events(0));
    r.take(events(1));
    r.take(events(2));
    expect(posts.map((frames) => frames.length)).toEqual([2]);
  });

  it('sends a response at once, after the events that came before it, and acks only event batches', () => {
    const { r, acks, posts } = relay();
    r.take(events(4));
    r.take(JSON.stringify({ type: 'response', id: 1, ok: true, result: {} }));
    expect(acks).toEqual(['{"type":"ack","batch":4}']);
    expect(posts).toEqual([[JSON.parse(events(4)), { type: 'response', id: 1, ok: true, result: {} }]]);
  });

  it('drops what is not JSON and does not ack a batch without a whole number', () => {
    const { r, acks, posts } = relay();
    r.take('{nope');
    r.take(JSON.stringify({ type: 'events', batch: 'x', events: [] }));
    expect(acks).toEqual([]);
    expect(posts).toEqual([[{ type: 'events', batch: 'x', events: [] }]]);
  });
});
