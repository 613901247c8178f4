import { describe, expect, it } from 'vitest';
import { findMatchesIn, searchOnward } from './log-search.js';

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

describe('an incremental search', () => {
  it('scans only the lines added since its last update, and starts again for another query', () => {
    const texts = ['error one', 'fine'];
    const read: number[] = [];
    const log = { get length() { return texts.length; }, at: (i: number) => ({ text: texts[i]! }), textAt: (i: number) => (read.push(i), texts[i]) };
    let search = searchOnward(null, log, null, 'error');
    expect(search.matches).toEqual([0]);
    texts.push('more', 'an ERROR');
    read.length = 0;
    search = searchOnward(search, log, null, 'error');
    expect(search.matches).toEqual([0, 3]);
    expect(read).toEqual([2, 3]);
    search = searchOnward(search, log, null, 'fine');
    expect(search.matches).toEqual([1]);
  });
});
