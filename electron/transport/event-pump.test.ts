import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventBatchFrame, ResyncFrame } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createEventPump } from './event-pump.js';

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
