import { describe, expect, it } from 'vitest';
import { safePattern } from '../../shared/contract/apps.js';
import { defaultBadHostPatterns, matchBadHost } from './bad-hosts.js';

describe('bad-host patterns', () => {
  it('the defaults pass the check an operator’s own patterns must pass', () => {
    for (const pattern of defaultBadHostPatterns) expect([pattern, safePattern(pattern)]).toEqual([pattern, true]);
  });

  it('finds the line that says the node is broken', () => {
    expect(matchBadHost('fetching\nW: GPG error: NO_PUBKEY 0E98404D386FA1D9\nmore')).toMatchObject({ line: 'W: GPG error: NO_PUBKEY 0E98404D386FA1D9' });
    expect(matchBadHost('all fine')).toBeNull();
  });
});
