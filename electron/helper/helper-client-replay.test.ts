import { describe, expect, it } from 'vitest';
import { speakHelper, type HelperLog, type HelperTransport } from './helper-client.js';

/** A detached helper's side as a console that restarted meets it: lines in (its replay first), calls out. */
function replayingHelper(lastCall: number) {
  const out: ((line: string) => void)[] = [];
  const written: unknown[] = [];
  const transport: HelperTransport = {
    write: (text) => void written.push(JSON.parse(text)),
    end: () => undefined,
    onStdoutLine: (listener) => void out.push(listener),
    onStderrLine: () => undefined,
    gone: new Promise(() => undefined),
    kill: () => undefined,
    pid: undefined,
  };
  const say = (message: object) => out.forEach((listener) => listener(JSON.stringify(message)));
  const ready = { type: 'ready', pid: 1, namespaced: true, uid: 0, session: { id: '00000000000000ab', seq: 20, oldest: 1, recovered: [], lastCall } };
  return { transport, say, written, ready };
}

describe('a console that restarted, on the helper session an earlier one left', () => {
  it('a call made again with an earlier id gets what the helper said of it (its lines, its answer) and is not sent again', async () => {
    const helper = replayingHelper(7);
    const speaking = speakHelper(helper.transport, { firstId: 9 });
    helper.say(helper.ready);
    const client = await speaking;
    // The replay: an answered call of the earlier console, and one still running.
    helper.say({ type: 'log', id: 6, stream: 'out', text: 'I: done', seq: 11 });
    helper.say({ type: 'result', id: 6, ok: true, value: { content: 'status' }, seq: 12 });
    helper.say({ type: 'log', id: 7, stream: 'out', text: 'I: unpacking', seq: 13 });
    const logs: HelperLog[] = [];
    await expect(client.call('file.read', { buildId: '20261204-abcdef12', path: '/w/x' }, (log) => logs.push(log), 6).result).resolves.toEqual({ content: 'status' });
    expect(logs).toEqual([{ stream: 'out', text: 'I: done', seq: 11 }]);
    expect(helper.written).toEqual([]);
    // The running one: what it said so far, then sent again (the helper ignores an id it has seen) and answered live.
    const running = client.call('dir.make', { buildId: '20261204-abcdef12', path: '/w/y' }, (log) => logs.push(log), 7);
    expect(logs.at(-1)).toEqual({ stream: 'out', text: 'I: unpacking', seq: 13 });
    expect(helper.written).toMatchObject([{ type: 'call', id: 7, op: 'dir.make' }]);
    helper.say({ type: 'result', id: 7, ok: true, value: {}, seq: 14 });
    await expect(running.result).resolves.toEqual({});
    // Its own calls are numbered past every id the earlier console took (noted ones it never sent included).
    expect(client.reserveId()).toBe(9);
    client.call('dir.make', { buildId: '20261204-abcdef12', path: '/w/z' });
    expect(helper.written.at(-1)).toMatchObject({ type: 'call', id: 10 });
  });

  it('numbers past the helper\'s last call when that is higher, and a replayed failure fails the call again', async () => {
    const helper = replayingHelper(30);
    const speaking = speakHelper(helper.transport, { firstId: 5 });
    helper.say(helper.ready);
    const client = await speaking;
    helper.say({ type: 'result', id: 4, ok: false, error: 'mount: busy', cancelled: false, seq: 19 });
    await expect(client.call('dir.make', { buildId: '20261204-abcdef12', path: '/w/y' }, undefined, 4).result).rejects.toThrow('mount: busy');
    expect(client.reserveId()).toBe(31);
  });
});
