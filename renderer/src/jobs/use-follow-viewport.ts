import { useLayoutEffect, useRef, useState, type UIEvent } from 'react';
import { useElementHeight } from '../lib/use-element-height.js';

/**
 * The scrolling half of a virtualized, tail-following list of fixed-height
 * rows: where the viewport is, how tall it is, and whether it follows the
 * tail (it does while the operator is at the bottom, and stops when they
 * scroll up). Build logs and application traces share it.
 */
export function useFollowViewport(count: number, rowHeight: number) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const height = useElementHeight(viewport, 400);
  const [follow, setFollow] = useState(true);

  // Runs in the same commit that grew the spacer, so a following view never shows a half-scrolled frame.
  useLayoutEffect(() => {
    const element = viewport.current;
    if (follow && element) element.scrollTop = element.scrollHeight;
  }, [follow, count]);

  function onScroll(event: UIEvent<HTMLDivElement>): void {
    const element = event.currentTarget;
    setScrollTop(element.scrollTop);
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < rowHeight;
    if (atBottom !== follow) setFollow(atBottom);
  }

  function scrollToRow(row: number): void {
    const element = viewport.current;
    if (!element) return;
    setFollow(false);
    element.scrollTop = Math.max(0, row * rowHeight - element.clientHeight / 2);
  }

  return { viewport, scrollTop, height, follow, setFollow, onScroll, scrollToRow };
}
