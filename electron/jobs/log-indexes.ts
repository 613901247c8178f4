import { open, type FileHandle } from 'node:fs/promises';
import { LineIndex, readLines, scanIndex, unreadable } from './log-file.js';

/** A finished log's index and the file it was built from (a file replaced whole is indexed again). */
interface Known {
  index: LineIndex;
  ino: number | null;
}

/** How many finished logs keep their index between reads (a viewer pages through one or two at a time). */
const KEEP_FINISHED = 16;

/**
 * The line indexes of one history's logs: a running job's kept as its lines
 * are written; a finished one's built by one streaming pass on its first
 * read, extended when the file grew (a job another process still runs), and
 * kept for the few logs read last.
 */
export class LogIndexes {
  private readonly live = new Map<string, LineIndex>();
  /** Least recently read first. */
  private readonly finished = new Map<string, Known>();
  private readonly scans = new Map<string, Promise<Known>>();

  constructor(private readonly pathOf: (id: string) => string) {}

  /** A job's log is written by this process from now on, starting with what `index` holds. */
  writing(id: string, index = new LineIndex()): LineIndex {
    this.finished.delete(id);
    this.live.set(id, index);
    return index;
  }

  writer(id: string): LineIndex | undefined {
    return this.live.get(id);
  }

  /** This process writes no more to the job's log: its index joins the finished ones. */
  ended(id: string): void {
    const index = this.live.get(id);
    if (!index) return;
    this.live.delete(id);
    this.keep(id, { index, ino: null });
  }

  /** The file was replaced whole: its next read indexes it again. */
  forget(id: string): void {
    this.live.delete(id);
    this.finished.delete(id);
  }

  /** The text of lines [from, from + count) as stored, and how many lines the log has. A log never written is empty. */
  async read(id: string, from: number, count: number): Promise<{ texts: string[]; total: number }> {
    const path = this.pathOf(id);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !this.live.has(id)) return { texts: [], total: 0 };
      throw unreadable(path, from, error);
    }
    try {
      const index = this.live.get(id) ?? (await this.current(id, handle));
      const to = Math.min(from + count, index.lines);
      return { texts: await readLines(handle, path, index, from, to), total: index.lines };
    } finally {
      await handle.close();
    }
  }

  private async current(id: string, handle: FileHandle): Promise<LineIndex> {
    const stat = await handle.stat().catch((error: unknown) => {
      throw unreadable(this.pathOf(id), 0, error);
    });
    let known = this.finished.get(id);
    if (known && ((known.ino !== null && known.ino !== stat.ino) || stat.size < known.index.bytes)) known = undefined;
    if (!known) known = await this.scan(id, handle, stat.ino);
    else if (stat.size > known.index.bytes) {
      // Grown since (or a torn last line): only the new bytes are read, into a copy, so a read under way keeps its index.
      const grown = await scanIndex(handle, known.index.clone(), known.index.bytes).catch((error: unknown) => {
        throw unreadable(this.pathOf(id), known!.index.lines, error);
      });
      known = { index: grown, ino: stat.ino };
    } else known = { index: known.index, ino: stat.ino };
    if (!this.live.has(id)) this.keep(id, known);
    return known.index;
  }

  /** One streaming pass, shared by the reads that ask while it runs. */
  private scan(id: string, handle: FileHandle, ino: number): Promise<Known> {
    let scan = this.scans.get(id);
    if (!scan) {
      scan = scanIndex(handle)
        .then((index) => ({ index, ino }))
        .catch((error: unknown) => {
          throw unreadable(this.pathOf(id), 0, error);
        })
        .finally(() => this.scans.delete(id));
      this.scans.set(id, scan);
    }
    return scan;
  }

  private keep(id: string, known: Known): void {
    this.finished.delete(id);
    this.finished.set(id, known);
    for (const oldest of this.finished.keys()) {
      if (this.finished.size <= KEEP_FINISHED) break;
      this.finished.delete(oldest);
    }
  }
}
