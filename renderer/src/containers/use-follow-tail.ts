import { useCallback, useLayoutEffect, useRef, useState } from 'react';

/** Closer than this to the bottom counts as at the end: sub-pixel scroll positions never quite reach it. */
const slackPx = 16;

/**
 * Keeps a scrolling log at its newest line as lines arrive, until the
 * operator scrolls up to read: then it stays put until they scroll back
 * down or ask for the end. `last` changes whenever a line is added (the
 * count alone does not once the oldest lines are trimmed).
 */
export function useFollowTail(last: number | null) {
  const viewport = useRef<HTMLDivElement>(null);
  const followingRef = useRef(true);
  const [following, setFollowing] = useState(true);

  const onScroll = useCallback(() => {
    const element = viewport.current;
    if (!element) return;
    const atEnd = element.scrollHeight - element.scrollTop - element.clientHeight <= slackPx;
    followingRef.current = atEnd;
    setFollowing(atEnd);
  }, []);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (element && followingRef.current) element.scrollTop = element.scrollHeight;
  }, [last]);

  const toEnd = useCallback(() => {
    followingRef.current = true;
    setFollowing(true);
    if (viewport.current) viewport.current.scrollTop = viewport.current.scrollHeight;
  }, []);

  return { viewport, following, onScroll, toEnd };
}
