import { describe, expect, it } from 'vitest';
import { findMatchesIn } from './log-search.js';

const lines = (...texts: string[]) => ({ length: texts.length, at: (i: number) => (i < texts.length ? { text: texts[i]! } : undefined) });

describe('searching within a filter', () => {
  const log = lines('a: start', 'b: Error here', 'a: error too', 'b: fine', 'a: ERROR again');

  it('gives positions in the whole log when nothing is filtered', () => {
    expect(findMatchesIn(log, null, 'error')).toEqual([1, 2, 4]);
    expect(findMatchesIn(log, null, '')).toEqual([]);
  });

  it('gives positions among the kept rows, so counts and "matching lines only" agree with what is shown', () => {
    const onlyA = [0, 2, 4];
    expect(findMatchesIn(log, onlyA, 'error')).toEqual([1, 2]);
    expect(findMatchesIn(log, [], 'error')).toEqual([]);
    expect(findMatchesIn(log, [3], 'error')).toEqual([]);
  });
});
