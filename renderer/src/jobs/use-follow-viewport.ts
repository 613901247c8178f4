import { useLayoutEffect, useRef, useState, type UIEvent } from 'react';
import { useElementHeight } from '../lib/use-element-height.js';

/** Where a viewport that follows the tail of `count` fixed-height rows scrolls to: known without asking the layout. */
export const tailTop = (count: number, rowHeight: number, height: number) => Math.max(0, count * rowHeight - height);

/**
 * The scrolling half of a virtualized, tail-following list of fixed-height
 * rows: where the viewport is, how tall it is, and whether it follows the
 * tail (it does while the operator is at the bottom, and stops when they
 * scroll up). Build logs and application traces share it.
 *
 * While following, the position is computed (rows × row height less the
 * viewport), never read from the layout: a flood of lines costs one layout a
 * frame, not a forced one per batch, and our own scroll's event renders nothing.
 */
export function useFollowViewport(count: number, rowHeight: number) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrolledTop, setScrollTop] = useState(0);
  const height = useElementHeight(viewport, 400);
  const [follow, setFollow] = useState(true);
  const lastTop = useRef(0);
  const scrollTop = follow ? tailTop(count, rowHeight, height) : scrolledTop;

  // In the same commit that grew the spacer: a following view never shows a half-scrolled frame.
  useLayoutEffect(() => {
    const element = viewport.current;
    if (!follow || !element) return;
    const top = tailTop(count, rowHeight, height);
    if (top === lastTop.current) return;
    lastTop.current = top;
    element.scrollTop = top;
  }, [follow, count, height, rowHeight]);

  function onScroll(event: UIEvent<HTMLDivElement>): void {
    const element = event.currentTarget;
    const top = element.scrollTop;
    // The event of our own scroll to the tail: nothing moved that the render does not already show.
    if (follow && Math.abs(top - lastTop.current) < 1) return;
    // Read here only (layout is clean when a scroll event comes): the browser may have clamped our
    // scroll (the viewport taller than last measured), or the operator scrolled.
    const atBottom = element.scrollHeight - top - element.clientHeight < rowHeight;
    // Only a move up (the operator's) stops following: lines arriving between our scroll and its event, or
    // the view resizing, leave the bottom without anyone scrolling.
    const movedUp = top < lastTop.current - 1;
    lastTop.current = top;
    if (follow && atBottom) return;
    setScrollTop(top);
    if (atBottom && !follow) setFollow(true);
    else if (!atBottom && follow && movedUp) setFollow(false);
  }

  function scrollToRow(row: number): void {
    const element = viewport.current;
    if (!element) return;
    const top = Math.max(0, row * rowHeight - height / 2);
    setFollow(false);
    setScrollTop(top);
    lastTop.current = top;
    element.scrollTop = top;
  }

  function followTail(on: boolean): void {
    // Leaving the tail keeps the view where it is; coming back scrolls in the next commit.
    if (!on) setScrollTop(lastTop.current);
    setFollow(on);
  }

  return { viewport, scrollTop, height, follow, setFollow: followTail, onScroll, scrollToRow };
}
