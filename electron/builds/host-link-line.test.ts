import { describe, expect, it } from 'vitest';
import { linkLine } from './host-link-line.js';

describe('a build host link line', () => {
  it('says when the connection was lost and after which message, then how long the gap was and where the replay starts', () => {
    const at = Date.UTC(2026, 11, 4, 10, 42, 1);
    expect(linkLine({ state: 'lost', host: 'rack1-n03', at, seq: 312 })).toBe('connection to build host rack1-n03 lost at 10:42:01 UTC (after message #312): the build goes on there; re-attaching');
    expect(linkLine({ state: 'back', host: 'rack1-n03', at: at + 14_250, seq: 312, gapMs: 14_250 })).toBe(
      're-attached to build host rack1-n03 at 10:42:15 UTC after 14.3 s: its log since message #312 follows, replayed from its journal',
    );
    expect(linkLine({ state: 'back', host: 'n', at, seq: 5, gapMs: 1000, missed: 12 })).toMatch(/ \(12 older messages were no longer kept there: not replayed\)$/);
  });
});
