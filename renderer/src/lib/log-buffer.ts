import type { LogLine } from '../../../shared/contract/index.js';

/** What the viewer needs of a line: build and deploy logs both have it. */
export interface ShownLine {
  n: number;
  step: string | null;
  stream: 'out' | 'err' | 'info';
  text: string;
}

/**
 * One build's (or deploy's) log as the viewer holds it, indexed by line
 * number. Mutable on purpose: a 300,000-line log grows in hundreds of
 * batches, and copying it for each would be quadratic. The store bumps a revision number instead, which is
 * what components subscribe to.
 */
export class LogBuffer<L extends ShownLine = LogLine> {
  private readonly lines: L[] = [];
  /** Batches that arrived past the end while earlier lines were still being fetched. */
  private ahead: L[][] = [];

  get length(): number {
    return this.lines.length;
  }

  /** Lines beyond a gap are held: the missing ones must be fetched. */
  get waiting(): boolean {
    return this.ahead.length > 0;
  }

  get all(): readonly L[] {
    return this.lines;
  }

  at(index: number): L | undefined {
    return this.lines[index];
  }

  /** Adds what continues the log, skips what it already holds, and holds what comes after a gap. */
  append(batch: readonly L[]): number {
    let added = this.take(batch);
    for (let progress = added > 0; progress && this.ahead.length > 0; ) {
      progress = false;
      this.ahead = this.ahead.filter((held) => {
        const last = held.at(-1);
        if (!last || last.n < this.lines.length) return false;
        if (held[0]!.n > this.lines.length) return true;
        added += this.take(held);
        progress = true;
        return false;
      });
    }
    return added;
  }

  /** The last `count` lines that `keep` accepts, oldest first; scans backwards so a huge log costs little. */
  tail(count: number, keep: (line: L) => boolean = () => true): L[] {
    const found: L[] = [];
    for (let i = this.lines.length - 1; i >= 0 && found.length < count; i -= 1) {
      const line = this.lines[i]!;
      if (keep(line)) found.push(line);
    }
    return found.reverse();
  }

  private take(batch: readonly L[]): number {
    const first = batch[0];
    if (!first) return 0;
    if (first.n > this.lines.length) {
      this.ahead.push([...batch]);
      return 0;
    }
    const before = this.lines.length;
    for (const line of batch) if (line.n === this.lines.length) this.lines.push(line);
    return this.lines.length - before;
  }
}
