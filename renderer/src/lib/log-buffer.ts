import type { LogBatch, LogLine } from '../../../shared/contract/index.js';
import { streamOf } from '../../../shared/contract/log-batch.js';

/** What the viewer needs of a line: build and deploy logs both have it. */
export interface ShownLine {
  n: number;
  step: string | null;
  stream: 'out' | 'err' | 'info';
  text: string;
}

/** Lines kept of a log's tail; older ones are fetched back from the backend's pages when scrolled to. */
export const logCap = 262_144;
/** Lines a chunk holds before a new one starts: lines are dropped and recalled a chunk at a time. */
const chunkLines = 4_096;
/** Pages fetched back for scroll-back, kept while the operator reads there. */
const recalledPages = 8;

/** Consecutive lines as columns: the texts as they arrived, a stream code and a step per line. */
interface Chunk {
  from: number;
  texts: string[];
  streams: string;
  steps: (string | null)[];
}

const chunkEnd = (chunk: Chunk) => chunk.from + chunk.texts.length;

function chunkOfBatch(batch: LogBatch): Chunk {
  const steps: (string | null)[] = [];
  for (const [count, step] of batch.steps) for (let i = 0; i < count; i += 1) steps.push(step);
  return { from: batch.from, texts: batch.texts, streams: batch.streams, steps };
}

function chunkOfLines(lines: readonly ShownLine[]): Chunk {
  const texts: string[] = [];
  const steps: (string | null)[] = [];
  let streams = '';
  for (const line of lines) {
    texts.push(line.text);
    steps.push(line.step);
    streams += line.stream === 'err' ? 'e' : line.stream === 'info' ? 'i' : 'o';
  }
  return { from: lines[0]?.n ?? 0, texts, streams, steps };
}

/** The part of `chunk` from line `n` on (a batch that overlaps what is held). */
function from(chunk: Chunk, n: number): Chunk {
  if (n <= chunk.from) return chunk;
  const skip = n - chunk.from;
  return { from: n, texts: chunk.texts.slice(skip), streams: chunk.streams.slice(skip), steps: chunk.steps.slice(skip) };
}

/** The chunk of `chunks` (sorted, contiguous or not) holding line `n`. */
function find(chunks: readonly Chunk[], n: number): Chunk | undefined {
  let low = 0;
  let high = chunks.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const chunk = chunks[mid]!;
    if (n < chunk.from) high = mid - 1;
    else if (n >= chunkEnd(chunk)) low = mid + 1;
    else return chunk;
  }
  return undefined;
}

/**
 * One build's (or deploy's, or boot's) log as the viewer holds it, indexed by
 * line number: the tail in chunks of columns (the batches as they arrived,
 * never one object a line), at most `cap` lines of it. Lines before the kept
 * tail still count in `length` (the viewer's spacer is as tall as the whole
 * log); the pages the viewer scrolls back to are fetched and `recall`ed.
 * Mutable on purpose: the store bumps a revision number instead, which is
 * what components subscribe to.
 */
export class LogBuffer<L extends ShownLine = LogLine> {
  private chunks: Chunk[] = [];
  /** Lines before this one are not held (dropped past the cap, or never fetched). */
  private start = 0;
  private end = 0;
  /** Batches that arrived past the end while earlier lines were still being fetched. */
  private ahead: Chunk[] = [];
  /** Older pages fetched back, most recently used last. */
  private recalled: Chunk[] = [];

  /** `cap`: lines kept of the tail. */
  constructor(readonly cap = logCap) {}

  /** Lines of the log as far as it is continuous: the next line expected is this one. */
  get length(): number {
    return this.end;
  }

  /** The first line of the kept tail. */
  get first(): number {
    return this.start;
  }

  /** Lines beyond a gap are held: the missing ones must be fetched. */
  get waiting(): boolean {
    return this.ahead.length > 0;
  }

  /** The kept lines as objects (tests, small logs). */
  get all(): L[] {
    const lines: L[] = [];
    for (let n = this.start; n < this.end; n += 1) lines.push(this.at(n)!);
    return lines;
  }

  at(index: number): L | undefined {
    const chunk = index >= this.start ? find(this.chunks, index) : find(this.recalled, index);
    if (!chunk) return undefined;
    const i = index - chunk.from;
    return { n: index, step: chunk.steps[i]!, stream: streamOf(chunk.streams[i]!), text: chunk.texts[i]! } as L;
  }

  /** A line's text alone: what a search reads. */
  textAt(index: number): string | undefined {
    const chunk = index >= this.start ? find(this.chunks, index) : find(this.recalled, index);
    return chunk?.texts[index - chunk.from];
  }

  /** Whether line `index` is held (kept, or recalled). */
  holds(index: number): boolean {
    return index >= this.start ? index < this.end : find(this.recalled, index) !== undefined;
  }

  /** Adds what continues the log (pages, as line objects), skips what it already holds, and holds what comes after a gap. */
  append(batch: readonly L[]): number {
    return batch.length === 0 ? 0 : this.add(chunkOfLines(batch));
  }

  /** The same for a batch as it travels (columns). */
  appendBatch(batch: LogBatch): number {
    return batch.texts.length === 0 ? 0 : this.add(chunkOfBatch(batch));
  }

  /**
   * Starts the kept tail at line `n` (the log is longer than the cap): the lines
   * before it are fetched only if the operator scrolls back to them.
   */
  skipTo(n: number): void {
    if (n <= this.end) return;
    this.chunks = [];
    this.start = n;
    this.end = n;
    this.ahead = this.ahead.filter((held) => chunkEnd(held) > n);
    this.drain();
  }

  /** An older page fetched back for the rows in view: kept among a few. */
  recall(lines: readonly L[]): void {
    const held = lines.filter((line) => line.n < this.start);
    if (held.length === 0) return;
    const chunk = chunkOfLines(held);
    this.recalled = [...this.recalled.filter((c) => c.from !== chunk.from), chunk].slice(-recalledPages);
    this.recalled.sort((a, b) => a.from - b.from);
  }

  /** The first line in [first, end) that is not held, or null: what the viewer asks the backend for. */
  missing(first: number, end: number): number | null {
    for (let n = Math.max(0, first); n < Math.min(end, this.end); ) {
      if (n >= this.start) return null;
      const chunk = find(this.recalled, n);
      if (!chunk) return n;
      n = chunkEnd(chunk);
    }
    return null;
  }

  /** The last `count` kept lines that `keep` accepts, oldest first; scans backwards so a huge log costs little. */
  tail(count: number, keep: (line: L) => boolean = () => true): L[] {
    const found: L[] = [];
    for (let i = this.end - 1; i >= this.start && found.length < count; i -= 1) {
      const line = this.at(i)!;
      if (keep(line)) found.push(line);
    }
    return found.reverse();
  }

  private add(chunk: Chunk): number {
    const before = this.end;
    this.take(chunk);
    this.drain();
    return this.end - before;
  }

  /** Held batches that now continue the log go in. */
  private drain(): void {
    for (let progress = true; progress && this.ahead.length > 0; ) {
      progress = false;
      this.ahead = this.ahead.filter((held) => {
        if (chunkEnd(held) <= this.end) return false;
        if (held.from > this.end) return true;
        this.take(held);
        progress = true;
        return false;
      });
    }
  }

  private take(chunk: Chunk): void {
    if (chunk.from > this.end) {
      this.ahead.push(chunk);
      return;
    }
    if (chunkEnd(chunk) <= this.end) return;
    const added = from(chunk, this.end);
    const last = this.chunks.at(-1);
    if (last && last.texts.length + added.texts.length <= chunkLines) {
      // Small batches (a line at a time from a slow job) share a chunk.
      for (let i = 0; i < added.texts.length; i += 1) {
        last.texts.push(added.texts[i]!);
        last.steps.push(added.steps[i]!);
      }
      last.streams += added.streams;
    } else {
      // The batch's own arrays become the chunk (they are the buffer's: parsed from a frame, or built here).
      this.chunks.push(added);
    }
    this.end = chunkEnd(added);
    // Past the cap, the oldest chunks go: the kept tail stays at most `cap` lines (plus part of a chunk).
    while (this.chunks.length > 1 && this.end - chunkEnd(this.chunks[0]!) >= this.cap) {
      this.chunks.shift();
      this.start = this.chunks[0]!.from;
    }
  }
}
