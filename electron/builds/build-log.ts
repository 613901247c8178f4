import type { LogLine, StepId } from '../../shared/contract/index.js';

/**
 * A build's log: every line kept (the viewer pages through it), new lines
 * handed out in batches so the UI gets one event per frame, not per line.
 */
export class BuildLog {
  readonly lines: LogLine[] = [];
  private pending: LogLine[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flushBatch: (lines: LogLine[]) => void,
    private readonly flushMs = 50,
  ) {}

  add(step: StepId | null, stream: LogLine['stream'], text: string): void {
    const line: LogLine = { n: this.lines.length, step, stream, text };
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
    this.flushBatch(batch);
  }

  page(from: number, count: number): LogLine[] {
    return this.lines.slice(from, from + count);
  }
}
