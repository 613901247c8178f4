import type { TraceLine, TraceStream } from '../../../shared/contract/index.js';

export const traceStreams: readonly TraceStream[] = ['stdout', 'stderr', 'buildlog'];

export interface TraceFilter {
  /** One node, or every node. */
  node: string | null;
  streams: readonly TraceStream[];
}

export const noTraceFilter: TraceFilter = { node: null, streams: traceStreams };

const isAll = (filter: TraceFilter) => filter.node === null && traceStreams.every((s) => filter.streams.includes(s));

/**
 * A run's traces as the viewer holds them: every node's lines merged in the
 * backend's order (so `length` is where the next page starts). Mutable on
 * purpose, like the build log: 100,000 lines arrive in hundreds of batches.
 *
 * Each line carries its number within its node's stream, which is how a
 * batch is checked: a line already held is skipped, and a line past a gap
 * stops the batch there (the rest is fetched again), so what is held is
 * always a prefix of what the backend holds.
 */
export class TraceBuffer {
  private readonly lines: TraceLine[] = [];
  private readonly counts = new Map<string, number>();
  /** The rows of the last filter asked for, extended as lines arrive rather than recomputed. */
  private view: { key: string; filter: TraceFilter; rows: number[]; scanned: number } | null = null;

  get length(): number {
    return this.lines.length;
  }

  at(index: number): TraceLine | undefined {
    return this.lines[index];
  }

  /** Adds what continues the traces; `gap` when a line came before the ones before it. */
  append(batch: readonly TraceLine[]): { added: number; gap: boolean } {
    const before = this.lines.length;
    for (const line of batch) {
      const key = `${line.node}\0${line.stream}`;
      const expected = this.counts.get(key) ?? 0;
      if (line.n < expected) continue;
      if (line.n > expected) return { added: this.lines.length - before, gap: true };
      this.counts.set(key, expected + 1);
      this.lines.push(line);
    }
    return { added: this.lines.length - before, gap: false };
  }

  /** Indices of the lines the filter keeps, or null when it keeps them all (no copy of a long list). */
  rows(filter: TraceFilter): readonly number[] | null {
    if (isAll(filter)) return null;
    const key = `${filter.node ?? ''}\0${[...filter.streams].sort().join(',')}`;
    if (this.view?.key !== key) this.view = { key, filter, rows: [], scanned: 0 };
    const view = this.view;
    for (; view.scanned < this.lines.length; view.scanned += 1) {
      const line = this.lines[view.scanned]!;
      if ((view.filter.node === null || line.node === view.filter.node) && view.filter.streams.includes(line.stream)) view.rows.push(view.scanned);
    }
    return view.rows;
  }
}
