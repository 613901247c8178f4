import { useCallback, useRef, useState, type UIEvent } from 'react';
import { useElementHeight } from '../lib/use-element-height.js';

/**
 * Where a scrolling viewport is and how tall it is: what a virtualized list
 * needs to render only the rows in sight. Unlike the logs' viewport it does
 * not follow a tail; `toTop` goes back to the first row (a new filter).
 */
export function useScrollViewport() {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const height = useElementHeight(viewport, 480);

  const onScroll = useCallback((event: UIEvent<HTMLDivElement>) => setScrollTop(event.currentTarget.scrollTop), []);

  const toTop = useCallback(() => {
    if (viewport.current) viewport.current.scrollTop = 0;
    setScrollTop(0);
  }, []);

  return { viewport, scrollTop, height, onScroll, toTop };
}
