import { describe, expect, it } from 'vitest';
import { visibleRange } from './virtual-window.js';

describe('visibleRange', () => {
  const base = { viewportHeight: 180, rowHeight: 18, total: 300_000 };

  it('renders the rows in view plus overscan at the top', () => {
    expect(visibleRange({ ...base, scrollTop: 0, overscan: 5 })).toEqual({ first: 0, end: 15 });
  });

  it('maps the middle of a huge list to the right rows', () => {
    expect(visibleRange({ ...base, scrollTop: 150_000 * 18, overscan: 0 })).toEqual({ first: 150_000, end: 150_010 });
    expect(visibleRange({ ...base, scrollTop: 150_000 * 18 + 9, overscan: 2 })).toEqual({ first: 149_998, end: 150_013 });
  });

  it('clamps at the end and never exceeds the total', () => {
    expect(visibleRange({ ...base, scrollTop: 300_000 * 18, overscan: 10 })).toEqual({ first: 299_990, end: 300_000 });
    expect(visibleRange({ ...base, total: 3, scrollTop: 0, overscan: 10 })).toEqual({ first: 0, end: 3 });
  });

  it('renders nothing for an empty list or a negative overscroll', () => {
    expect(visibleRange({ ...base, total: 0, scrollTop: 0 })).toEqual({ first: 0, end: 0 });
    expect(visibleRange({ ...base, scrollTop: -40, overscan: 0 })).toEqual({ first: 0, end: 10 });
  });
});
