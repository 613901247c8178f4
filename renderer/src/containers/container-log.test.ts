import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBackend } from '../test-support/fake-backend.js';
import { formatTime } from '../lib/format.js';
import { appendLogLines, decodeTai64n, parseLogLine, parseLogText } from './container-log-lines.js';
import { initialLogData, logPollMs, selectLogPhase, useContainerLog } from './container-log-store.js';

const local = (ms: number) => formatTime(ms);

describe('log lines', () => {
  it('decodes s6-log’s TAI64N stamp to local time, as s6-tai64nlocal does; leaves anything else raw', () => {
    // s6-tai64nlocal printed 16:35:13.775 (UTC) for this stamp: TAI is 37 s ahead.
    const at = Date.parse('2026-11-23T16:35:13.775Z');
    expect(decodeTai64n('@400000006b046b662e32937f')?.getTime()).toBe(at);
    expect(parseLogLine('@400000006b046b662e32937f ok', 7)).toEqual({ id: 7, stamp: local(at), at: '2026-11-23T16:35:13.775Z', text: 'ok' });
    expect(local(at)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(local(Date.now())).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(parseLogLine('@4000zz not a stamp', 1)).toEqual({ id: 1, stamp: '@4000zz', at: null, text: 'not a stamp' });
    expect(parseLogLine('no stamp at all', 2)).toEqual({ id: 2, stamp: null, at: null, text: 'no stamp at all' });
    expect(parseLogLine('@400000006b046b66 short', 3).at).toBeNull();
  });

  it('splits whole lines and keeps only the newest', () => {
    const lines = parseLogText('@400000006b046b662e32937f a\n@400000006b046b662e32937f  b\n', 10);
    expect(lines.map((l) => [l.id, l.text])).toEqual([[10, 'a'], [11, ' b']]);
    expect(parseLogText('', 0)).toEqual([]);
    const many = parseLogText('x\n'.repeat(8), 0);
    expect(appendLogLines(many.slice(0, 5), many.slice(5), 6).map((l) => l.id)).toEqual([2, 3, 4, 5, 6, 7]);
  });
});

describe('container log store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useContainerLog.setState(initialLogData());
  });
  afterEach(() => {
    useContainerLog.getState().follow(null);
    vi.useRealTimers();
  });

  it('polls about once a second from the last offset, one read at a time; switching and stopping end the old tail', async () => {
    let release: (() => void) | null = null;
    let open = 0;
    let most = 0;
    const requests = fakeBackend(async (_command, payload) => {
      const { instance, offset } = payload as { instance: string; offset: number };
      open += 1;
      most = Math.max(most, open);
      if (offset === 4) await new Promise<void>((resolve) => (release = resolve));
      open -= 1;
      return { text: offset === 0 ? `@400000006b046b662e32937f ${instance}\n` : '', offset: 4, restarted: false };
    });
    const log = useContainerLog.getState;
    log().follow({ node: 'n1', instance: 'a' });
    expect(selectLogPhase(log())).toBe('reading');
    await vi.advanceTimersByTimeAsync(0);
    expect(log().lines.map((l) => l.text)).toEqual(['a']);
    expect(selectLogPhase(log())).toBe('live');
    // The second read hangs: no third one goes out meanwhile.
    await vi.advanceTimersByTimeAsync(logPollMs * 5);
    expect(requests).toHaveLength(2);
    // Another container: its first read waits for the one on the wire, then its log replaces the old.
    log().follow({ node: 'n1', instance: 'b' });
    expect(log().lines).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(requests).toHaveLength(2);
    release!();
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.map((r) => r.payload)).toEqual([{ node: 'n1', instance: 'a', offset: 0 }, { node: 'n1', instance: 'a', offset: 4 }, { node: 'n1', instance: 'b', offset: 0 }]);
    expect(log().lines.map((l) => l.text)).toEqual(['b']);
    expect(most).toBe(1);

    log().stop();
    await vi.advanceTimersByTimeAsync(logPollMs * 3);
    expect(requests).toHaveLength(3);
    expect(log().lines.map((l) => l.text)).toEqual(['b']);
    expect(selectLogPhase(log())).toBe('stopped');
    // Following the same one again picks up where it stopped.
    log().follow({ node: 'n1', instance: 'b' });
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.at(-1)!.payload).toEqual({ node: 'n1', instance: 'b', offset: 4 });
    release!();
  });

  it('marks a rotation, keeps at most 5,000 lines, and keeps tailing after an error', async () => {
    const answers: (() => unknown)[] = [
      () => ({ text: 'one\ntwo\n', offset: 8, restarted: false }),
      () => { throw new Error('ssh: connection reset'); },
      () => ({ text: 'three\n', offset: 6, restarted: true }),
      () => ({ text: 'x\n'.repeat(6_000), offset: 12_006, restarted: false }),
    ];
    fakeBackend(() => answers.shift()!());
    const log = useContainerLog.getState;
    log().follow({ node: 'n1', instance: 'a' });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(logPollMs);
    expect(log().error).toBe('Could not read the log of a: ssh: connection reset');
    expect(log().lines.map((l) => l.text)).toEqual(['one', 'two']);
    await vi.advanceTimersByTimeAsync(logPollMs);
    expect(log().error).toBeNull();
    expect(log().rotations).toBe(1);
    expect(log().lines.map((l) => [l.text, l.rotated ?? false])).toEqual([['one', false], ['two', false], ['log rotated', true], ['three', false]]);
    expect(log().offset).toBe(6);
    await vi.advanceTimersByTimeAsync(logPollMs);
    expect(log().lines).toHaveLength(5_000);
    expect(log().lines[0]!.text).toBe('x');
    expect(log().offset).toBe(12_006);
  });
});
