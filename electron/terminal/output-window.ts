/**
 * Flow control of one terminal's output (Cockpit's and Tabby's): bytes sent to
 * the client count as unacknowledged until the client says it has written them
 * to its screen. Past the high mark the producer is paused; it resumes once the
 * client has caught up below the low mark. The client cannot push the count
 * below zero, so a client that lies only slows itself.
 */
export class OutputWindow {
  private unackedBytes = 0;
  private paused = false;

  constructor(
    private readonly highWater: number,
    private readonly lowWater: number,
  ) {
    if (!(lowWater < highWater)) throw new RangeError('the low mark must be below the high mark');
  }

  get unacked(): number {
    return this.unackedBytes;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** `bytes` went to the client; true when the producer must pause now. */
  sent(bytes: number): boolean {
    this.unackedBytes += bytes;
    if (this.paused || this.unackedBytes < this.highWater) return false;
    this.paused = true;
    return true;
  }

  /** The client wrote `bytes` more; true when the producer may resume now. */
  acked(bytes: number): boolean {
    this.unackedBytes = Math.max(0, this.unackedBytes - Math.max(0, bytes));
    if (!this.paused || this.unackedBytes > this.lowWater) return false;
    this.paused = false;
    return true;
  }
}
