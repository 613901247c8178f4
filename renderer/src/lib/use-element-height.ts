import { useLayoutEffect, useState, type RefObject } from 'react';

/** The element's height, kept current as it resizes: what a virtualized list needs to know of its viewport. */
export function useElementHeight(element: RefObject<HTMLElement | null>, initial: number): number {
  const [height, setHeight] = useState(initial);
  useLayoutEffect(() => {
    const current = element.current;
    if (!current) return;
    setHeight(current.clientHeight);
    const observer = new ResizeObserver(() => setHeight(current.clientHeight));
    observer.observe(current);
    return () => observer.disconnect();
  }, [element]);
  return height;
}
