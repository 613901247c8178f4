import type { StepId } from '../../shared/contract/index.js';

/** A line of a step-by-step job's log (a build's, a deploy's). */
export interface StepLogLine<S extends string> {
  n: number;
  step: S | null;
  stream: 'out' | 'err' | 'info';
  text: string;
  /** A detached helper's number for the line (on disk only: a console that restarts replays the helper's lines after the last one kept). */
  seq?: number;
}

/** Where a log's lines go once handed out, and are read back from once they leave memory (the job's log file). */
export interface LogSpill<S extends string> {
  /** Throws when the lines could not be kept (a full disk): they stay in memory and are written again with the next batch. */
  write(lines: readonly StepLogLine<S>[]): void;
  read(from: number, count: number): Promise<StepLogLine<S>[]>;
}

/** How much of a log stays in memory once it spills: whichever limit comes first. */
export interface LogCap {
  lines: number;
  /** Counted as the text's length plus a line's overhead. */
  bytes: number;
}

export const defaultLogCap: LogCap = { lines: 20_000, bytes: 8 << 20 };
/** What a line costs beyond its text (the object, its fields), roughly: enough to make many short lines count. */
const LINE_OVERHEAD = 64;

const size = (line: StepLogLine<string>) => line.text.length + LINE_OVERHEAD;

/**
 * A job's log: new lines handed out in batches so the UI gets one event per
 * frame, not per line. Once it spills to a file, only the recent lines stay
 * in memory (at most `cap`, plus what the file has not taken yet); the viewer
 * pages older ones from the file.
 */
export class JobLog<S extends string = StepId> {
  /** Lines [first, total) are in memory. */
  private recent: StepLogLine<S>[] = [];
  private first = 0;
  private recentBytes = 0;
  /** Lines [0, written) are in the spill. */
  private written = 0;
  private spill: LogSpill<S> | null = null;
  private pending: StepLogLine<S>[] = [];
  private pendingBytes = 0;
  private readonly also: ((lines: StepLogLine<S>[]) => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flushBatch: (lines: StepLogLine<S>[]) => void,
    private readonly flushMs = 50,
    private readonly cap: LogCap = defaultLogCap,
  ) {}

  /** How many lines the log has. */
  get total(): number {
    return this.first + this.recent.length;
  }

  /** How many are held in memory now. */
  get inMemory(): number {
    return this.recent.length;
  }

  /** Another receiver of every batch. */
  tee(receiver: (lines: StepLogLine<S>[]) => void): void {
    this.also.push(receiver);
  }

  /** From now on every batch is written to `spill`, and lines past the cap are read back from it. */
  spillTo(spill: LogSpill<S>): void {
    this.spill = spill;
  }

  /** A log that goes on from a file holding `total` lines already (a job carried on after its console restarted). */
  resumeAt(total: number): void {
    this.first = this.written = total;
  }

  add(step: S | null, stream: StepLogLine<S>['stream'], text: string, seq?: number): StepLogLine<S> {
    const line: StepLogLine<S> = { n: this.total, step, stream, text, ...(seq === undefined ? {} : { seq }) };
    this.recent.push(line);
    this.recentBytes += size(line);
    this.pending.push(line);
    this.pendingBytes += size(line);
    // A burst faster than the timer (a flood) is handed out a quarter of the cap at a time, so memory never waits on the clock.
    if (this.spill && (this.pending.length >= this.cap.lines / 4 || this.pendingBytes >= this.cap.bytes / 4)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    return line;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.keep();
    for (const receiver of this.also) receiver(batch);
    this.flushBatch(batch);
  }

  /**
   * Writes what the spill has not taken yet, then lets go of the oldest lines
   * it holds, down to three quarters of the cap: the quarter left is room for
   * the next batch, so memory never holds more than the cap.
   */
  private keep(): void {
    if (!this.spill) return;
    if (this.written < this.total) {
      try {
        this.spill.write(this.recent.slice(this.written - this.first));
        this.written = this.total;
      } catch {
        // Kept in memory: the next batch writes them again. The job goes on; only the cap waits.
      }
    }
    let drop = 0;
    let bytes = this.recentBytes;
    const evictable = this.written - this.first;
    const lines = this.cap.lines * 0.75;
    const most = this.cap.bytes * 0.75;
    while (drop < evictable && (this.recent.length - drop > lines || bytes > most)) {
      bytes -= size(this.recent[drop]!);
      drop += 1;
    }
    if (drop === 0) return;
    this.recent.splice(0, drop);
    this.recentBytes = bytes;
    this.first += drop;
  }

  /** Lines [from, from + count): recent ones from memory, older ones from the spill. */
  async page(from: number, count: number): Promise<StepLogLine<S>[]> {
    const to = Math.min(from + count, this.total);
    if (to <= from) return [];
    // What memory holds is taken now: by the time the file answers, these may have left memory.
    // Without their sequence numbers: those are the file's, for a console that restarts.
    const held = to > this.first ? this.recent.slice(Math.max(from, this.first) - this.first, to - this.first).map(({ seq: _seq, ...line }) => line) : [];
    if (from >= this.first) return held;
    const older = await this.spill!.read(from, Math.min(to, this.first) - from);
    return [...older, ...held];
  }
}
