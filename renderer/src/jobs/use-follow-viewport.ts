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
  const lastTop = useRef(0);

  // Runs in the same commit that grew the spacer (or resized the view), so a following view never shows a
  // half-scrolled frame; the rows drawn follow at once, not when the scroll event comes (late, on a busy machine).
  useLayoutEffect(() => {
    const element = viewport.current;
    if (!follow || !element) return;
    element.scrollTop = element.scrollHeight;
    lastTop.current = element.scrollTop;
    setScrollTop(element.scrollTop);
  }, [follow, count, height]);

  function onScroll(event: UIEvent<HTMLDivElement>): void {
    const element = event.currentTarget;
    setScrollTop(element.scrollTop);
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < rowHeight;
    // Only a move up (the operator's) stops following: lines arriving between our scroll and its event, or
    // the view resizing, leave the bottom without anyone scrolling.
    const movedUp = element.scrollTop < lastTop.current - 1;
    lastTop.current = element.scrollTop;
    if (atBottom && !follow) setFollow(true);
    else if (!atBottom && follow && movedUp) setFollow(false);
  }

  function scrollToRow(row: number): void {
    const element = viewport.current;
    if (!element) return;
    setFollow(false);
    element.scrollTop = Math.max(0, row * rowHeight - element.clientHeight / 2);
  }

  return { viewport, scrollTop, height, follow, setFollow, onScroll, scrollToRow };
}
