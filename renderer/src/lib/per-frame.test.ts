import { afterEach, describe, expect, it, vi } from 'vitest';
import { perFrame } from './per-frame.js';

/** Animation frames driven by hand: `frame(at)` runs the callbacks asked for so far with that timestamp. */
function fakeFrames() {
  let waiting: FrameRequestCallback[] = [];
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => waiting.push(callback));
  return {
    frame(at: number) {
      const now = waiting;
      waiting = [];
      for (const callback of now) callback(at);
    },
  };
}

describe('perFrame', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('runs once a frame however often it is asked', () => {
    const frames = fakeFrames();
    const run = vi.fn();
    const ask = perFrame(run);
    ask();
    ask();
    ask();
    frames.frame(16);
    expect(run).toHaveBeenCalledTimes(1);
    frames.frame(33);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('keeps runs at least the gap apart, and runs a late ask at once', () => {
    const frames = fakeFrames();
    const run = vi.fn();
    const ask = perFrame(run, 45);
    ask();
    frames.frame(100);
    expect(run).toHaveBeenCalledTimes(1);
    // A flood: asked again every frame, run every third one (60 Hz, a 45 ms gap).
    ask();
    frames.frame(116.7);
    frames.frame(133.3);
    expect(run).toHaveBeenCalledTimes(1);
    frames.frame(150);
    expect(run).toHaveBeenCalledTimes(2);
    // A trickle: the next ask after a quiet while runs on the very next frame.
    ask();
    frames.frame(400);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('runs on the next task without frames', async () => {
    const run = vi.fn();
    const ask = perFrame(run, 45);
    ask();
    ask();
    expect(run).not.toHaveBeenCalled();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(run).toHaveBeenCalledTimes(1);
  });
});
