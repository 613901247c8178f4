import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatTime, formatTimesIn } from './format.js';
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

  describe('formatTime: HH:MM:SS today, YYYY-MM-DD HH:MM any other day', () => {
    const now = new Date(2025, 0, 14, 15, 0, 0);

    it('shows the time of today and the date and minute of an older moment', () => {
      expect(formatTime(new Date(2025, 0, 14, 9, 5, 7).toISOString(), now)).toBe('09:05:07');
      expect(formatTime(new Date(2025, 0, 13, 23, 59, 0).toISOString(), now)).toBe('2025-01-13 23:59');
      expect(formatTime(new Date(2024, 11, 30, 8, 0, 0).toISOString(), now)).toBe('2024-12-30 08:00');
    });

    it('takes an ISO string, epoch milliseconds or a Date alike', () => {
      const at = new Date(2025, 0, 14, 7, 8, 9);
      expect(formatTime(at, now)).toBe('07:08:09');
      expect(formatTime(at.getTime(), now)).toBe('07:08:09');
      expect(formatTime(at.toISOString(), now)).toBe('07:08:09');
    });

    it('cuts at local midnight, on both sides of it', () => {
      const justAfterMidnight = new Date(2025, 0, 14, 0, 0, 1);
      expect(formatTime(new Date(2025, 0, 14, 0, 0, 0), justAfterMidnight)).toBe('00:00:00');
      expect(formatTime(new Date(2025, 0, 13, 23, 59, 59), justAfterMidnight)).toBe('2025-01-13 23:59');
      const justBeforeMidnight = new Date(2025, 0, 14, 23, 59, 59);
      expect(formatTime(new Date(2025, 0, 14, 0, 0, 0), justBeforeMidnight)).toBe('00:00:00');
      expect(formatTime(new Date(2025, 0, 14, 23, 59, 59), justBeforeMidnight)).toBe('23:59:59');
      // A moment a clock ahead of ours put in tomorrow is not today either.
      expect(formatTime(new Date(2025, 0, 15, 0, 0, 0), justBeforeMidnight)).toBe('2025-01-15 00:00');
    });

    it('tells the same time of day on another day, month and year apart', () => {
      expect(formatTime(new Date(2025, 0, 7, 15, 0, 0), now)).toBe('2025-01-07 15:00');
      expect(formatTime(new Date(2024, 11, 14, 15, 0, 0), now)).toBe('2024-12-14 15:00');
      expect(formatTime(new Date(2024, 0, 14, 15, 0, 0), now)).toBe('2024-01-14 15:00');
      expect(formatTime(new Date(2025, 0, 1, 0, 0, 0), new Date(2024, 11, 31, 23, 59, 59))).toBe('2025-01-01 00:00');
      expect(formatTime(new Date(2024, 11, 31, 23, 59, 59), new Date(2025, 0, 1, 0, 0, 0))).toBe('2024-12-31 23:59');
    });

    it('shows an unreadable time as it came', () => {
      expect(formatTime('not a time', now)).toBe('not a time');
    });

    it('rewrites the ISO times inside a message, and nothing else', () => {
      const listed = new Date(2025, 0, 13, 8, 0, 0).toISOString();
      expect(formatTimesIn(`skipped: on the blacklist since ${listed} (W: GPG error: 2025-01-13)`, now)).toBe('skipped: on the blacklist since 2025-01-13 08:00 (W: GPG error: 2025-01-13)');
      expect(formatTimesIn(`at ${new Date(2025, 0, 14, 9, 5, 7).toISOString()} and ${new Date(2025, 0, 14, 9, 6, 0).toISOString()}`, now)).toBe('at 09:05:07 and 09:06:00');
      expect(formatTimesIn('no time here', now)).toBe('no time here');
    });
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
