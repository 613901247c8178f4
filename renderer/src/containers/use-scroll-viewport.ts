import { useCallback, useLayoutEffect, useRef, useState, type UIEvent } from 'react';

/**
 * Where a scrolling viewport is and how tall it is: what a virtualized list
 * needs to render only the rows in sight. Unlike the logs' viewport it does
 * not follow a tail; `toTop` goes back to the first row (a new filter).
 */
export function useScrollViewport() {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element) return;
    setHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const onScroll = useCallback((event: UIEvent<HTMLDivElement>) => setScrollTop(event.currentTarget.scrollTop), []);

  const toTop = useCallback(() => {
    if (viewport.current) viewport.current.scrollTop = 0;
    setScrollTop(0);
  }, []);

  return { viewport, scrollTop, height, onScroll, toTop };
}
