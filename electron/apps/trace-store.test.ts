import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TraceStore } from './trace-store.js';

describe('trace store', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps whole lines, waits for the rest, and resumes from its files after a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-traces-'));
    const store = new TraceStore(dir);
    expect(store.add('n1', 'stdout', Buffer.from('one\ntw')).map((l) => l.text)).toEqual(['one']);
    expect(store.offset('n1', 'stdout')).toBe(6);
    expect(store.add('n1', 'stdout', Buffer.from('o\nthree\n')).map((l) => [l.n, l.text])).toEqual([[1, 'two'], [2, 'three']]);
    store.add('n2', 'stderr', Buffer.from('oops'), true);
    expect(readFileSync(join(dir, 'n2', 'stderr'), 'utf8')).toBe('oops\n');
    expect(store.page({ node: 'n1' }, 1, 10)).toEqual({ lines: [{ node: 'n1', stream: 'stdout', n: 1, text: 'two' }, { node: 'n1', stream: 'stdout', n: 2, text: 'three' }], total: 3 });

    const again = new TraceStore(dir);
    expect(again.offset('n1', 'stdout')).toBe(14);
    expect(again.page({}, 0, 10).total).toBe(4);
    expect(again.add('n1', 'stdout', Buffer.from('four\n'))[0]).toEqual({ node: 'n1', stream: 'stdout', n: 3, text: 'four' });
  });
});
