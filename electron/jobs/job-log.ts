import type { StepId } from '../../shared/contract/index.js';

/** A line of a step-by-step job's log (a build's, a deploy's). */
export interface StepLogLine<S extends string> {
  n: number;
  step: S | null;
  stream: 'out' | 'err' | 'info';
  text: string;
}

/**
 * A job's log: every line kept (the viewer pages through it), new lines
 * handed out in batches so the UI gets one event per frame, not per line.
 */
export class JobLog<S extends string = StepId> {
  readonly lines: StepLogLine<S>[] = [];
  private pending: StepLogLine<S>[] = [];
  private readonly also: ((lines: StepLogLine<S>[]) => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flushBatch: (lines: StepLogLine<S>[]) => void,
    private readonly flushMs = 50,
  ) {}

  /** Another receiver of every batch (the history on disk). */
  tee(receiver: (lines: StepLogLine<S>[]) => void): void {
    this.also.push(receiver);
  }

  add(step: S | null, stream: StepLogLine<S>['stream'], text: string): void {
    const line: StepLogLine<S> = { n: this.lines.length, step, stream, text };
    this.lines.push(line);
    this.pending.push(line);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    for (const receiver of this.also) receiver(batch);
    this.flushBatch(batch);
  }

  page(from: number, count: number): StepLogLine<S>[] {
    return this.lines.slice(from, from + count);
  }
}
