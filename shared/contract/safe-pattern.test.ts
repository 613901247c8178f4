import { describe, expect, it } from 'vitest';
import { AppDefinition, safePattern } from './apps.js';

describe('bad-host patterns an operator may give', () => {
  it('refuses what does not compile and what repeats a repeating group (catastrophic backtracking)', () => {
    for (const pattern of ['(a+)+$', '(a*)*', '(a|a)*', '(x+x+)+y', '((ab)*)+', '(a{1,})+', '(.*a){2,}', '[']) expect([pattern, safePattern(pattern)]).toEqual([pattern, false]);
    for (const pattern of ['disk (full|gone)', 'I/O error', 'foo+bar', '(abc)+', 'a{2}', String.raw`\(a+\)+`, '[(a+)]+']) expect([pattern, safePattern(pattern)]).toEqual([pattern, true]);
  });

  it('names the field in a definition', () => {
    const parsed = AppDefinition.safeParse({ name: 'a', run: 'true', badHostPatterns: ['ok', '(a+)+$'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['badHostPatterns', 1], message: expect.stringContaining('nested repetition') });
  });
});
