import { setTimeout as sleep } from 'node:timers/promises';
import type { LogLine } from '../../shared/contract/index.js';
import { Cancelled } from '../jobs/step-loop.js';
import type { ScriptRun } from './mock-build-context.js';

/** Live runs sleep; seeding the history replays a script at once on a virtual clock. */
export interface RunClock {
  now(): number;
  pause(ms: number, signal: AbortSignal): Promise<void>;
}

export const liveClock: RunClock = {
  now: () => Date.now(),
  async pause(ms, signal) {
    // A pause of 0 still yields, so a flood lets the pump and the sockets run between its batches.
    if (ms > 0) await sleep(ms, undefined, { signal });
    else await new Promise<void>((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
  },
};

export function virtualClock(start: number): RunClock {
  let t = start;
  return {
    now: () => t,
    async pause(ms) {
      t += ms;
    },
  };
}

export interface PlayOptions {
  signal: AbortSignal;
  clock: RunClock;
  /** Multiplies every scripted pause. */
  speed: number;
  line(stream: LogLine['stream'], text: string): void;
  progress(message: string): void;
}

/**
 * Plays one scripted step as the work of the step loop: lines, paced pauses
 * and progress; a `fail` action fails the step, and a cancel (the signal)
 * ends it as Cancelled wherever it is.
 */
export async function playScript(script: ScriptRun, options: PlayOptions): Promise<null> {
  try {
    for (const action of script) {
      options.signal.throwIfAborted();
      if (action.kind === 'line') options.line(action.stream, action.text);
      else if (action.kind === 'pause') await options.clock.pause(action.ms * options.speed, options.signal);
      else if (action.kind === 'progress') options.progress(action.message);
      else throw new Error(action.message);
    }
    return null;
  } catch (error) {
    throw options.signal.aborted ? new Cancelled() : error;
  }
}
