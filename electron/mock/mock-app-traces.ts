import type { TraceLine, TraceStream } from '../../shared/contract/index.js';

/**
 * A run's traces as the mock keeps them: every line at once in one list (the
 * order `apps.traces` pages through), and out to clients in batches, never
 * one event a line: a node printing thousands of lines a second stays a
 * few events a second.
 */
export class MockTraces {
  private readonly lines: TraceLine[] = [];
  private readonly counts = new Map<string, number>();
  private pending: TraceLine[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Null when nobody listens (seeding). */
    private readonly publish: ((lines: TraceLine[]) => void) | null,
    private readonly flushMs: number,
  ) {}

  push(node: string, stream: TraceStream, text: string): void {
    const key = `${node}\0${stream}`;
    const line: TraceLine = { node, stream, n: this.counts.get(key) ?? 0, text };
    this.counts.set(key, line.n + 1);
    this.lines.push(line);
    if (!this.publish) return;
    this.pending.push(line);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Sends what is pending now: called before a node's state changes, so its lines arrive first. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0 || !this.publish) return;
    const lines = this.pending;
    this.pending = [];
    this.publish(lines);
  }

  count(node: string, stream: TraceStream): number {
    return this.counts.get(`${node}\0${stream}`) ?? 0;
  }

  page(filter: { node?: string | undefined; stream?: TraceStream | undefined }, from: number, count: number): { lines: TraceLine[]; total: number } {
    const matching = filter.node || filter.stream ? this.lines.filter((l) => (!filter.node || l.node === filter.node) && (!filter.stream || l.stream === filter.stream)) : this.lines;
    return { lines: matching.slice(from, from + count), total: matching.length };
  }

  /** What a download writes: one file per node and stream that printed anything. */
  files(): { files: number; bytes: number } {
    const bytes = this.lines.reduce((sum, line) => sum + Buffer.byteLength(line.text) + 1, 0);
    return { files: this.counts.size, bytes };
  }

  close(): void {
    this.flush();
  }
}
