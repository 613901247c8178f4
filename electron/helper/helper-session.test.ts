import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ToHelper } from './helper-protocol.js';
import { journalName, openSession, socketName } from './helper-session.js';

/** A temp folder of this test's, removed when it finishes. */
function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const ready = () => ({ type: 'ready' as const, pid: 1, namespaced: true, uid: 0 });

/** A console attached to the session's socket: the lines it reads, and a way to wait for the n-th. */
function attach(dir: string, after: number) {
  const socket: Socket = connect(join(dir, socketName));
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: socket }).on('line', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  socket.write(`${JSON.stringify({ type: 'attach', after })}\n`);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const count = async (n: number) => {
    while (lines.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return lines;
  };
  return { socket, lines, count, closed };
}

describe('a detached helper session', () => {
  it('replays what followed the last message a console saw, journals every line, and hands a re-sent call on once', async () => {
    const dir = join(scratch('slipway-session-'), 's');
    const session = await openSession({ dir, id: '00000000000000ab', lingerMs: 60_000, ready, recovered: ['b1: released loop /dev/loop7'] });
    const calls: ToHelper[] = [];
    session.onMessage((message) => calls.push(message));
    for (const text of ['one', 'two', 'three']) session.send({ type: 'log', id: 1, stream: 'out', text });
    const first = attach(dir, 1);
    const seen = await first.count(3);
    expect(seen[0]).toMatchObject({ type: 'ready', session: { id: '00000000000000ab', seq: 3, oldest: 1, recovered: ['b1: released loop /dev/loop7'] } });
    expect(seen.slice(1).map((line) => [line.seq, line.text])).toEqual([[2, 'two'], [3, 'three']]);
    // Live lines follow; a call sent again after a re-attach is handed on once.
    session.send({ type: 'log', id: 1, stream: 'out', text: 'four' });
    await first.count(4);
    first.socket.write(`${JSON.stringify({ type: 'call', id: 7, op: 'build.close', args: {} })}\n`);
    // A newer console takes over: the older connection is closed.
    const second = attach(dir, 4);
    await first.closed;
    second.socket.write(`${JSON.stringify({ type: 'call', id: 7, op: 'build.close', args: {} })}\n`);
    second.socket.write(`${JSON.stringify({ type: 'cancel', id: 7 })}\n`);
    await second.count(1);
    while (calls.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(calls.map((call) => call.type)).toEqual(['call', 'cancel']);
    expect(readFileSync(join(dir, journalName), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { text: string }).text)).toEqual(['one', 'two', 'three', 'four']);
    second.socket.destroy();
    session.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps the last lines only: a console asking for older ones is told the oldest it can have', async () => {
    const dir = join(scratch('slipway-session-'), 's');
    const session = await openSession({ dir, id: '00000000000000ac', lingerMs: 60_000, ready, recovered: [], keepLines: 10 });
    for (let i = 1; i <= 11; i += 1) session.send({ type: 'log', id: 1, stream: 'out', text: `line ${i}` });
    const console = attach(dir, 0);
    const seen = await console.count(6);
    expect(seen[0]).toMatchObject({ session: { seq: 11, oldest: 7 } });
    expect(seen.slice(1).map((line) => line.seq)).toEqual([7, 8, 9, 10, 11]);
    console.socket.destroy();
    session.close();
  });

  it('nobody attached for its linger time: abandoned, so the helper can release its builds', async () => {
    const dir = join(scratch('slipway-session-'), 's');
    const session = await openSession({ dir, id: '00000000000000ad', lingerMs: 50, ready, recovered: [] });
    let abandonments = 0;
    let wake = () => {};
    session.onAbandoned(() => {
      abandonments += 1;
      wake();
    });
    const console = attach(dir, 0);
    await console.count(1);
    // Attached: no timer runs (one that fired before the attach is counted here already).
    const before = abandonments;
    const next = new Promise<void>((resolve) => (wake = resolve));
    console.socket.destroy();
    await next;
    expect(abandonments).toBe(before + 1);
    session.close();
  });
});
