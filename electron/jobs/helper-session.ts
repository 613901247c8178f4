import { callForJob, type CallHandle, type HelperClient, type HelperLog } from '../helper/helper-client.js';
import type { HelperOp, HelperResult, JobArgs } from '../helper/helper-protocol.js';
import { Cancelled } from './step-loop.js';

export interface Released {
  released: string[];
  /** What the release could not free: journal recovery finishes it. */
  unreleased: string[];
}

/**
 * A job's calls to the privileged helper: one at a time, the running one
 * cancelled with the job, and whether the helper (may) hold the job open, so
 * that `close` releases everything it acquired, whatever happened.
 */
export class HelperSession {
  private cancelled = false;
  /** A cancelled `build.open` may have opened all the same: then close it to be sure. */
  private opened = false;
  private current: CallHandle<unknown> | null = null;

  constructor(
    private readonly helper: HelperClient,
    private readonly jobId: string,
    private readonly log: (step: string | null, stream: HelperLog['stream'], text: string, seq?: number) => void,
    /** Carried on by a console that restarted: whether the helper already holds the job open. */
    options: { opened?: boolean } = {},
  ) {
    this.opened = options.opened ?? false;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  get isOpen(): boolean {
    return this.opened;
  }

  cancel(): void {
    this.cancelled = true;
    this.current?.cancel();
  }

  /** One operation on behalf of a step: its output goes to the step's log; after a cancel it throws Cancelled. `id`: the helper client's. */
  async call<O extends HelperOp>(step: string | null, op: O, args: JobArgs<O>, id?: number): Promise<HelperResult<O>> {
    if (this.cancelled) throw new Cancelled();
    const handle = callForJob(this.helper, this.jobId, op, args, (line) => this.log(step, line.stream, line.text, line.seq), id);
    this.current = handle;
    try {
      const value = await handle.result;
      if (op === 'build.open') this.opened = true;
      return value;
    } catch (error) {
      const cancelled = (error as { cancelled?: boolean }).cancelled || this.cancelled;
      if (op === 'build.open' && cancelled) this.opened = true;
      throw cancelled ? new Cancelled() : error;
    } finally {
      this.current = null;
    }
  }

  /** Releases what the job holds, newest first (the helper's `build.close`); runs after a cancel too. Never throws. */
  async close(step: string | null): Promise<Released> {
    if (!this.opened) return { released: [], unreleased: [] };
    try {
      const result = await callForJob(this.helper, this.jobId, 'build.close', {}, (line) => this.log(step, line.stream, line.text)).result;
      return { released: result.released, unreleased: result.failed };
    } catch (error) {
      const why = `release failed (${(error as Error).message}); journal recovery will finish it`;
      this.log(step, 'err', why);
      return { released: [], unreleased: [why] };
    }
  }
}
