import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatStarted } from './format.js';
import { findMatches, splitMatches } from '../jobs/log-search.js';

describe('formatting', () => {
  it.each([
    [420, '0.4 s'],
    [9_950, '9.9 s'],
    [12_500, '12 s'],
    [185_000, '3 min 05 s'],
    [3_720_000, '1 h 02 min'],
  ])('formats %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('formats sizes in binary units and counts with grouping', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(612 * 1024 ** 2)).toBe('612.0 MiB');
    expect(formatBytes(2.5 * 1024 ** 3)).toBe('2.50 GiB');
    expect(formatCount(300_000)).toBe('300,000');
  });

  it('shows the time of a build started today and the date of an older one', () => {
    const now = new Date(2025, 0, 14, 15, 0, 0);
    expect(formatStarted(new Date(2025, 0, 14, 9, 5, 7).toISOString(), now)).toBe('09:05:07');
    expect(formatStarted(new Date(2025, 0, 13, 23, 59, 0).toISOString(), now)).toBe('Jan 13 23:59');
    expect(formatStarted(new Date(2024, 11, 30, 8, 0, 0).toISOString(), now)).toBe('2024-12-30');
  });
});

describe('log search', () => {
  const lines = ['I: Retrieving libc6', 'E: Unable to locate package nosuchpkg', 'i: retrieving LIBC-bin'].map((text, n) => ({ n, step: null, stream: 'out' as const, text }));

  it('finds lines ignoring case', () => {
    expect(findMatches(lines, 'libc')).toEqual([0, 2]);
    expect(findMatches(lines, '')).toEqual([]);
  });

  it('cuts a line around every occurrence', () => {
    expect(splitMatches('libc6 and LIBC', 'libc')).toEqual([
      { text: 'libc', match: true },
      { text: '6 and ', match: false },
      { text: 'LIBC', match: true },
    ]);
    expect(splitMatches('nothing here', 'libc')).toEqual([{ text: 'nothing here', match: false }]);
  });
});
