import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobHistory } from './job-history.js';
import { JobLog, type LogSpill, type StepLogLine } from './job-log.js';

type Line = StepLogLine<string>;
const damaged = (n: number, why: string): Line => ({ n, step: null, stream: 'err', text: `damaged: ${why}` });
/** The line `add` was given for number n, so any page can be checked without keeping the log. */
const written = (n: number): Line => ({ n, step: n % 3 === 0 ? 'debootstrap' : null, stream: n % 5 === 0 ? 'err' : 'out', text: `I: Retrieving libfoo${n} ${'x'.repeat(n % 40)}` });
const add = (log: JobLog<string>, n: number) => {
  const line = written(n);
  log.add(line.step, line.stream, line.text);
};
const expected = (from: number, count: number) => Array.from({ length: count }, (_, k) => written(from + k));

/** The real collector, without starting node with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

describe('a job log that spills to its file past a cap', () => {
  let dir: string;
  let history: JobHistory<{ id: string }, Line>;
  const spillTo = (log: JobLog<string>, id: string): void => {
    history.begin({ id }, { pid: process.pid, startTime: 'test' });
    log.spillTo({ write: (lines) => history.append(id, lines), read: async (from, count) => (await history.logPage(id, from, count, damaged)).lines });
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-spill-'));
    history = new JobHistory(dir, { kind: 'builds', id: (d) => d.id, startedAt: () => '2026-12-02T00:00:00.000Z', parseDetail: (raw) => raw as { id: string }, parseLine: (raw) => raw as Line });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('1,000,000 lines: memory holds the cap, not the log; pages from the start, middle and end are the lines written', { timeout: 120_000 }, async () => {
    const gc = collector();
    const batches: number[] = [];
    const log = new JobLog<string>((lines) => batches.push(lines.length), 50, { lines: 20_000, bytes: 8 << 20 });
    spillTo(log, 'flood');
    gc();
    const before = process.memoryUsage().heapUsed;
    let most = 0;
    for (let n = 0; n < 1_000_000; n++) {
      add(log, n);
      if (n % 10_000 === 0) most = Math.max(most, log.inMemory);
    }
    log.flush();
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(log.total).toBe(1_000_000);
    expect(most).toBeLessThanOrEqual(20_000);
    expect(log.inMemory).toBeLessThanOrEqual(20_000);
    // Held whole, these lines take ~150 MB of heap; the cap and the index (a thousand offsets) take a few.
    expect(grown).toBeLessThan(30 << 20);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(1_000_000);
    expect(await log.page(0, 5_000)).toEqual(expected(0, 5_000));
    expect(await log.page(499_000, 5_000)).toEqual(expected(499_000, 5_000));
    expect(await log.page(987_000, 5_000)).toEqual(expected(987_000, 5_000));
    // A page across the edge of memory: its start from the file, its end from memory.
    expect(await log.page(979_000, 5_000)).toEqual(expected(979_000, 5_000));
    expect(await log.page(999_998, 5_000)).toEqual(expected(999_998, 2));
    expect(await log.page(1_000_000, 5_000)).toEqual([]);
  });

  it('pages read while lines are written each get the lines they asked for', async () => {
    const log = new JobLog<string>(() => undefined, 50, { lines: 500, bytes: 1 << 20 });
    spillTo(log, 'busy');
    let n = 0;
    const reads: Promise<void>[] = [];
    for (let round = 0; round < 40; round++) {
      for (const end = n + 1_000; n < end; n++) add(log, n);
      if (round % 3 === 0) log.flush();
      // Asked now, answered after more lines were written and older ones left memory.
      for (const from of [0, Math.floor(n / 2), Math.max(0, n - 700), Math.max(0, n - 100)]) {
        const count = Math.min(600, n - from);
        reads.push(log.page(from, 600).then((lines) => expect(lines).toEqual(expected(from, count))));
      }
    }
    await Promise.all(reads);
    log.flush();
    expect(log.inMemory).toBeLessThanOrEqual(500);
    expect(await log.page(0, n)).toEqual(expected(0, n));
  });

  it('the byte cap counts too: a few long lines leave memory as soon as they are on disk', async () => {
    const log = new JobLog<string>(() => undefined, 50, { lines: 1_000, bytes: 64 << 10 });
    spillTo(log, 'wide');
    for (let i = 0; i < 100; i++) log.add(null, 'out', `${i} ${'y'.repeat(10_000)}`);
    log.flush();
    expect(log.inMemory).toBeLessThanOrEqual(7);
    expect((await log.page(0, 100)).map((l) => l.text.slice(0, 3))).toEqual(Array.from({ length: 100 }, (_, i) => `${i} ${'y'.repeat(10)}`.slice(0, 3)));
  });

  it('lines a full disk refused stay in memory and are written with the next batch, in order', async () => {
    const log = new JobLog<string>(() => undefined, 50, { lines: 40, bytes: 1 << 20 });
    history.begin({ id: 'full' }, { pid: process.pid, startTime: 'test' });
    let refuse = 2;
    const spill: LogSpill<string> = {
      write: (lines) => {
        if (refuse-- > 0) throw new Error('ENOSPC: no space left on device');
        history.append('full', lines);
      },
      read: async (from, count) => (await history.logPage('full', from, count, damaged)).lines,
    };
    log.spillTo(spill);
    const path = join(dir, 'builds', 'full.log.jsonl');
    for (let n = 0; n < 20; n++) add(log, n);
    // Two batches refused: both kept, none let go.
    expect(log.inMemory).toBe(20);
    expect(readFileSync(path, 'utf8')).toBe('');
    for (let n = 20; n < 100; n++) add(log, n);
    log.flush();
    expect(log.inMemory).toBeLessThanOrEqual(30);
    expect(await log.page(0, 100)).toEqual(expected(0, 100));
    const onDisk = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(onDisk.map((text) => (JSON.parse(text) as Line).n)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
