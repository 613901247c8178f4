/**
 * Work coalesced to one run per animation frame: a flood of events appends to
 * its buffers at once, and the store (and so React) hears of it once a frame.
 * Without frames (tests in Node, a hidden page's throttled ones still come), it
 * runs on the next task.
 */
export function perFrame(run: () => void): () => void {
  let pending = false;
  const fire = () => {
    pending = false;
    run();
  };
  return () => {
    if (pending) return;
    pending = true;
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(fire);
    else setTimeout(fire, 0);
  };
}
