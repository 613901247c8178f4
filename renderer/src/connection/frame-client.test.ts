import { describe, expect, it, vi } from 'vitest';
import type { RequestFrame, SlipwayEvent } from '../../../shared/contract/index.js';
import { createFrameClient, BackendError } from './frame-client.js';
import type { Link, LinkState } from './link.js';

/** A link driven by the test: it plays the backend's side of the frames. */
function testLink() {
  let frameListener: (raw: unknown) => void = () => {};
  let stateListener: (state: LinkState, detail?: string) => void = () => {};
  const sent: RequestFrame[] = [];
  const acks: number[] = [];
  const link: Link = {
    kind: 'web',
    send: (frame) => void sent.push(frame),
    ack: (batch) => void acks.push(batch),
    onFrame: (listener) => void (frameListener = listener),
    onState: (listener) => void (stateListener = listener),
    reconnect: () => {},
  };
  return { link, sent, acks, deliver: (raw: unknown) => frameListener(raw), setState: (s: LinkState) => stateListener(s) };
}

const hello = { backend: 'mock', version: '0.1.0', hostname: 'h', seq: 10 };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

async function connected() {
  const t = testLink();
  const client = createFrameClient(t.link);
  const resyncs = vi.fn();
  const events: SlipwayEvent[] = [];
  client.onResync(resyncs);
  client.onEvent((e) => events.push(e));
  t.setState('connected');
  const helloRequest = t.sent.at(-1)!;
  expect(helloRequest.command).toBe('session.hello');
  t.deliver({ type: 'response', id: helloRequest.id, ok: true, result: hello });
  await flush();
  return { ...t, client, resyncs, events };
}

describe('frame client', () => {
  it('says hello on connect and asks stores to load their snapshots', async () => {
    const { resyncs } = await connected();
    expect(resyncs).toHaveBeenCalledTimes(1);
  });

  it('resolves a validated response and rejects one that breaks the contract', async () => {
    const { client, sent, deliver } = await connected();
    const ok = client.request('readiness.get', {});
    deliver({ type: 'response', id: sent.at(-1)!.id, ok: true, result: null });
    await expect(ok).resolves.toBeNull();

    const bad = client.request('session.hello', {});
    deliver({ type: 'response', id: sent.at(-1)!.id, ok: true, result: { backend: 'other' } });
    await expect(bad).rejects.toThrow(/backend/);
  });

  it('turns an error frame into a BackendError with code and field', async () => {
    const { client, sent, deliver } = await connected();
    const failing = client.request('readiness.check', {});
    deliver({ type: 'response', id: sent.at(-1)!.id, ok: false, error: { code: 'failed', message: 'boom', field: 'x' } });
    await expect(failing).rejects.toMatchObject({ code: 'failed', message: 'boom', field: 'x' });
  });

  it('applies events in order, acks each batch, and resyncs on a gap', async () => {
    const { events, acks, deliver, resyncs } = await connected();
    deliver({ type: 'events', batch: 0, events: [{ topic: 'readiness.started', seq: 11, payload: { total: 9 } }] });
    expect(events).toHaveLength(1);
    expect(acks).toEqual([0]);
    expect(resyncs).toHaveBeenCalledTimes(1);
    deliver({ type: 'events', batch: 1, events: [{ topic: 'readiness.started', seq: 14, payload: { total: 9 } }] });
    expect(resyncs).toHaveBeenCalledTimes(2);
  });

  it('acks a batch on receipt, before its events are applied, so the backend sends on meanwhile', async () => {
    const { client, acks, deliver } = await connected();
    const acksSeenByListener: number[][] = [];
    client.onEvent(() => acksSeenByListener.push([...acks]));
    deliver({ type: 'events', batch: 0, events: [{ topic: 'readiness.started', seq: 11, payload: { total: 9 } }] });
    expect(acksSeenByListener).toEqual([[0]]);
  });

  it('drops an invalid event but keeps the rest of the batch', async () => {
    const { events, deliver } = await connected();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    deliver({
      type: 'events',
      batch: 0,
      events: [
        { topic: 'readiness.started', seq: 11, payload: { total: 'many' } },
        { topic: 'readiness.started', seq: 12, payload: { total: 2 } },
      ],
    });
    expect(events.map((e) => e.seq)).toEqual([12]);
  });

  it('rejects pending requests when the link drops', async () => {
    const { client, setState } = await connected();
    const pending = client.request('readiness.check', {});
    setState('reconnecting');
    await expect(pending).rejects.toBeInstanceOf(BackendError);
  });
});
