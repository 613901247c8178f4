import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventBatchFrame, ResyncFrame } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createEventPump } from './event-pump.js';
import { frameText } from './frame-text.js';

describe('event pump', () => {
  let bus: EventBus;
  let sent: (EventBatchFrame | ResyncFrame)[];

  beforeEach(() => {
    vi.useFakeTimers();
    bus = new EventBus();
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  const batches = () => sent.filter((f): f is EventBatchFrame => f.type === 'events');

  it('sends the events of one frame as one batch, in order', () => {
    createEventPump({ bus, send: (f) => sent.push(f), flushMs: 16 });
    for (let i = 0; i < 5; i++) bus.publish('readiness.started', { total: i });
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(16);
    expect(batches()).toHaveLength(1);
    expect(batches()[0]!.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('holds events while too many batches are unacked, and resumes on ack', () => {
    const pump = createEventPump({ bus, send: (f) => sent.push(f), flushMs: 1, maxUnacked: 2 });
    for (let i = 0; i < 4; i++) {
      bus.publish('readiness.started', { total: i });
      vi.advanceTimersByTime(1);
    }
    expect(batches()).toHaveLength(2);
    pump.ack(0);
    vi.advanceTimersByTime(0);
    expect(batches()).toHaveLength(3);
    expect(batches()[2]!.events.map((e) => e.seq)).toEqual([3, 4]);
  });

  it('drops the backlog of a stalled client and asks it to resync once it acks', () => {
    const pump = createEventPump({ bus, send: (f) => sent.push(f), flushMs: 1, maxUnacked: 1, maxQueued: 10 });
    bus.publish('readiness.started', { total: 0 });
    vi.advanceTimersByTime(1);
    for (let i = 0; i < 50; i++) bus.publish('readiness.started', { total: i });
    vi.advanceTimersByTime(5);
    expect(batches()).toHaveLength(1);
    pump.ack(0);
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toEqual({ type: 'resync', seq: 51 });
    bus.publish('readiness.started', { total: 99 });
    vi.advanceTimersByTime(1);
    expect(batches().at(-1)!.events.map((e) => e.seq)).toEqual([52]);
  });

  it('bounds a frame in bytes, sends a larger event alone, and writes each frame\'s JSON once', () => {
    createEventPump({ bus, send: (f) => sent.push(f), flushMs: 1, maxFrameBytes: 1_000, maxUnacked: 100 });
    const text = (n: number) => 'x'.repeat(n);
    for (let i = 0; i < 10; i++) bus.publish('builds.recovered', { cleaned: [text(150)] });
    bus.publish('builds.recovered', { cleaned: [text(3_000)] });
    bus.publish('builds.recovered', { cleaned: [text(10)] });
    vi.advanceTimersByTime(1);
    const frames = batches();
    for (const frame of frames) expect(frame.events.length === 1 || Buffer.byteLength(frameText(frame)) <= 1_000 + 64).toBe(true);
    expect(frames.flatMap((f) => f.events.map((e) => e.seq))).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const big = frames.find((f) => f.events.some((e) => e.seq === 11))!;
    expect(big.events).toHaveLength(1);
    for (const frame of frames) expect(JSON.parse(frameText(frame).toString())).toEqual(frame);
    expect(frames.length).toBeGreaterThanOrEqual(4);
  });

  it('drops a backlog past its byte bound and asks for a resync', () => {
    const pump = createEventPump({ bus, send: (f) => sent.push(f), flushMs: 1, maxUnacked: 1, maxQueuedBytes: 5_000 });
    bus.publish('readiness.started', { total: 0 });
    vi.advanceTimersByTime(1);
    for (let i = 0; i < 10; i++) bus.publish('builds.recovered', { cleaned: ['y'.repeat(1_000)] });
    pump.ack(0);
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toEqual({ type: 'resync', seq: 11 });
  });

  it('stops sending once closed', () => {
    const pump = createEventPump({ bus, send: (f) => sent.push(f), flushMs: 1 });
    bus.publish('readiness.started', { total: 1 });
    pump.close();
    vi.advanceTimersByTime(10);
    bus.publish('readiness.started', { total: 2 });
    vi.advanceTimersByTime(10);
    expect(sent).toHaveLength(0);
  });
});
