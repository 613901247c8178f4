export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  /** Rows rendered beyond each edge, so a fast scroll does not show blank space before React catches up. */
  overscan?: number;
}

export interface RowRange {
  /** First row to render. */
  first: number;
  /** One past the last row to render. */
  end: number;
}

/** The rows of a fixed-height list that a viewport at `scrollTop` shows, plus overscan. */
export function visibleRange({ scrollTop, viewportHeight, rowHeight, total, overscan = 0 }: WindowInput): RowRange {
  if (total <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(total, Math.max(0, Math.floor(top / rowHeight) - overscan));
  const end = Math.min(total, Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight) + overscan);
  return { first, end: Math.max(first, end) };
}
