/**
 * Work coalesced to one run per animation frame: a flood of events appends to
 * its buffers at once, and the store (and React) hears of it once a frame.
 * Without frames (tests in Node, a hidden page's throttled ones still come), it
 * runs on the next task.
 *
 * `minGapMs`: with frames, runs are at least this far apart; a run asked for
 * sooner waits for a later frame (and takes everything asked for meanwhile). A
 * trickle (a line now and then) still runs on the next frame; a flood runs at
 * the gap's rate, so each run's render and layout leave the rest of the
 * frames to input and to the socket's messages.
 */
export function perFrame(run: () => void, minGapMs = 0): () => void {
  let pending = false;
  let last = Number.NEGATIVE_INFINITY;
  const frames = typeof requestAnimationFrame === 'function';
  const fire = (now: number) => {
    if (frames && now - last < minGapMs) {
      requestAnimationFrame(fire);
      return;
    }
    pending = false;
    last = now;
    run();
  };
  return () => {
    if (pending) return;
    pending = true;
    if (frames) requestAnimationFrame(fire);
    else setTimeout(() => fire(0), 0);
  };
}
