import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobHistory } from './job-history.js';
import type { StepLogLine } from './job-log.js';
import { INDEX_STRIDE } from './log-file.js';

type Line = StepLogLine<string>;
const line = (n: number): Line => ({ n, step: 'mkfs', stream: 'out', text: `line ${n} ${'z'.repeat(n % 17)}` });
const lines = (from: number, count: number) => Array.from({ length: count }, (_, k) => line(from + k));
const jsonl = (from: number, count: number) => lines(from, count).map((l) => `${JSON.stringify(l)}\n`).join('');
const damaged = (n: number, why: string): Line => ({ n, step: null, stream: 'err', text: `damaged: ${why}` });
const openFiles = () => readdirSync('/proc/self/fd').length;

describe('paging a finished job log from disk', () => {
  let dir: string;
  let history: JobHistory<{ id: string }, Line>;
  const path = (id: string) => join(dir, 'builds', `${id}.log.jsonl`);
  const page = (id: string, from: number, count: number) => history.logPage(id, from, count, damaged);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-paging-'));
    history = new JobHistory(dir, {
      kind: 'builds',
      id: (d) => d.id,
      startedAt: () => '2026-12-02T00:00:00.000Z',
      parseDetail: (raw) => raw as { id: string },
      parseLine: (raw) => {
        const value = raw as Line;
        if (typeof value.n !== 'number' || typeof value.text !== 'string') throw new Error('not a log line');
        return value;
      },
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pages from the start, the middle and the end are the lines saved, on and across index marks', async () => {
    history.save({ id: 'b1' }, lines(0, 100_000));
    expect(await page('b1', 0, 5)).toEqual({ lines: lines(0, 5), total: 100_000 });
    expect(await page('b1', INDEX_STRIDE * 40 - 3, 7)).toEqual({ lines: lines(INDEX_STRIDE * 40 - 3, 7), total: 100_000 });
    expect(await page('b1', 50_000, 5_000)).toEqual({ lines: lines(50_000, 5_000), total: 100_000 });
    expect(await page('b1', 99_990, 5_000)).toEqual({ lines: lines(99_990, 10), total: 100_000 });
    expect(await page('b1', 100_000, 10)).toEqual({ lines: [], total: 100_000 });
    expect(await page('b1', 250_000, 10)).toEqual({ lines: [], total: 100_000 });
  });

  it('a damaged line is marked in its place, the lines after it keep their numbers; a torn last line is not a line', async () => {
    mkdirSync(join(dir, 'builds'));
    writeFileSync(path('b2'), `${jsonl(0, 3000)}{"n": 3000, "te\u0000\n{"n": "3001"}\n${jsonl(3002, 10)}{"n": 3012, "step": "mk`);
    const { lines: got, total } = await page('b2', 2998, 20);
    expect(total).toBe(3012);
    expect(got.slice(0, 2)).toEqual(lines(2998, 2));
    expect(got[2]).toMatchObject({ n: 3000, stream: 'err', text: expect.stringMatching(/^damaged: .*JSON/) });
    expect(got[3]).toEqual({ n: 3001, step: null, stream: 'err', text: 'damaged: not a log line' });
    expect(got.slice(4)).toEqual(lines(3002, 10));
  });

  it('a log that grows (a job another process still runs) is read to its new end; one rewritten shorter is indexed again', async () => {
    history.save({ id: 'b3' }, lines(0, 2000));
    expect((await page('b3', 0, 1)).total).toBe(2000);
    appendFileSync(path('b3'), `${jsonl(2000, 500)}{"n": 2500, "step`);
    expect(await page('b3', 2495, 10)).toEqual({ lines: lines(2495, 5), total: 2500 });
    appendFileSync(path('b3'), `": "mkfs", "stream": "out", "text": "line 2500 ${'z'.repeat(2500 % 17)}"}\n`);
    expect(await page('b3', 2499, 10)).toEqual({ lines: lines(2499, 2), total: 2501 });
    writeFileSync(path('b3'), jsonl(0, 10));
    expect(await page('b3', 0, 100)).toEqual({ lines: lines(0, 10), total: 10 });
  });

  it('a log that cannot be read fails its page with an error naming it; other logs and later reads go on, and no file is left open', async () => {
    history.save({ id: 'ok' }, lines(0, 10));
    history.save({ id: 'cut' }, lines(0, 4000));
    await page('cut', 0, 1);
    const before = openFiles();
    truncateSync(path('cut'), 100);
    // Cut short after it was indexed: the file is smaller than its index, so it is indexed again.
    expect(await page('cut', 0, 10)).toEqual({ lines: lines(0, 1), total: 1 });
    rmSync(path('cut'));
    mkdirSync(path('cut'));
    await expect(page('cut', 0, 10)).rejects.toThrow(/the log file .*cut\.log\.jsonl could not be read at line \d+: .*EISDIR/);
    await expect(page('cut', 3000, 10)).rejects.toThrow(/cut\.log\.jsonl/);
    expect(await page('ok', 0, 10)).toEqual({ lines: lines(0, 10), total: 10 });
    expect(openFiles()).toBe(before);
  });

  it('many pages read at once, of several logs, each get their own lines and leave no file open', async () => {
    for (const id of ['p0', 'p1', 'p2']) history.save({ id }, lines(0, 20_000));
    const before = openFiles();
    const reads = Array.from({ length: 60 }, (_, i) => {
      const from = (i * 997) % 20_000;
      return page(`p${i % 3}`, from, 300).then((got) => expect(got).toEqual({ lines: lines(from, Math.min(300, 20_000 - from)), total: 20_000 }));
    });
    await Promise.all(reads);
    expect(openFiles()).toBe(before);
  });
});
