import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, parseStartTime, processIdentity } from './process-identity.js';

/** A /proc/<pid>/stat line: 52 fields, field 22 (start time) set, the command name as given. */
function statLine(pid: number, comm: string, startTime: string): string {
  const after = Array.from({ length: 50 }, (_, i) => String(i + 3));
  after[0] = 'S';
  after[22 - 3] = startTime;
  return `${pid} (${comm}) ${after.join(' ')}\n`;
}

describe('parseStartTime', () => {
  it.each([
    ['a plain name', 'node'],
    ['a name with spaces', 'Web Content'],
    ['a name with parentheses', 'foo (bar)'],
    ['a name that looks like fields', 'x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (y'],
    ['an empty name', ''],
  ])('reads field 22 past %s', (_what, comm) => {
    expect(parseStartTime(statLine(4242, comm, '987654321'))).toBe('987654321');
  });

  it('reads a real line from the kernel', () => {
    const line = '1234 (slipway (main)) S 1 1234 1234 0 -1 4194560 5120 0 0 0 12 3 0 0 20 0 11 0 8812345 1185943552 33021 18446744073709551615 1 1 0 0 0 0 0 16781312 83458 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
    expect(parseStartTime(line)).toBe('8812345');
  });

  it.each([['', 'empty'], ['1234 (node) S 1 2 3', 'too short']])('throws on a malformed line (%s: %s)', (line) => {
    expect(() => parseStartTime(line)).toThrow('malformed /proc stat line');
  });
});

describe('processIdentity and isAlive', () => {
  let proc: string;

  beforeAll(() => {
    proc = mkdtempSync(join(tmpdir(), 'slipway-proc-'));
    mkdirSync(join(proc, '77'));
    writeFileSync(join(proc, '77', 'stat'), statLine(77, 'sleep (1)', '555'));
    mkdirSync(join(proc, '78'));
    writeFileSync(join(proc, '78', 'stat'), 'garbage');
  });
  afterAll(() => rmSync(proc, { recursive: true, force: true }));

  it('identifies the current process by pid and start time', () => {
    const self = processIdentity();
    expect(self).not.toBeNull();
    expect(self!.pid).toBe(process.pid);
    expect(self!.startTime).toMatch(/^\d+$/);
    expect(self!.startTime).toBe(parseStartTime(readFileSync(`/proc/${process.pid}/stat`, 'utf8')));
    expect(isAlive(self!)).toBe(true);
  });

  it('reads a pid from another proc directory', () => {
    expect(processIdentity(77, proc)).toEqual({ pid: 77, startTime: '555' });
    expect(isAlive({ pid: 77, startTime: '555' }, proc)).toBe(true);
  });

  it('is null for a pid that does not exist or a stat it cannot read', () => {
    expect(processIdentity(79, proc)).toBeNull();
    expect(processIdentity(78, proc)).toBeNull();
  });

  it('is not alive: a made-up pid, or a live pid with another start time (reused)', () => {
    expect(isAlive({ pid: 2 ** 30, startTime: '1' })).toBe(false);
    expect(isAlive({ pid: process.pid, startTime: '0' })).toBe(false);
    expect(isAlive({ pid: 77, startTime: '556' }, proc)).toBe(false);
    expect(isAlive({ pid: 78, startTime: 'garbage' }, proc)).toBe(false);
  });
});
