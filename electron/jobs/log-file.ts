import { appendFileSync, closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { SlipwayError } from '../../shared/contract/index.js';

/** Every this many lines the index keeps a byte offset: a page read skips at most this many lines. */
export const INDEX_STRIDE = 1024;
const SCAN_CHUNK = 1 << 20;

/**
 * Where the lines of a JSON-lines file start, one offset every INDEX_STRIDE
 * lines: a page is read from the nearest offset with one bounded read, never
 * the whole file. Only lines ended by a newline count; a torn last line (a
 * crash mid-write) is not a line.
 */
export class LineIndex {
  /** marks[k]: the byte offset of line k * INDEX_STRIDE. */
  private marks: number[] = [0];
  private count = 0;
  private end = 0;

  /** A copy to extend while readers still use this one. */
  clone(): LineIndex {
    const copy = new LineIndex();
    copy.marks = this.marks.slice();
    copy.count = this.count;
    copy.end = this.end;
    return copy;
  }

  /** Whole lines. */
  get lines(): number {
    return this.count;
  }

  /** Bytes up to the end of the last whole line. */
  get bytes(): number {
    return this.end;
  }

  /** Reads `chunk`, found at `at` in the file, continuing from where the last one ended. */
  scan(chunk: Buffer, at: number): void {
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, nl + 1)) this.ended(at + nl + 1);
  }

  /** Lines of these byte lengths (each with its newline) were written at the end. */
  wrote(lengths: readonly number[]): void {
    for (const length of lengths) this.ended(this.end + length);
  }

  private ended(offset: number): void {
    this.count += 1;
    this.end = offset;
    if (this.count % INDEX_STRIDE === 0) this.marks.push(offset);
  }

  /**
   * The bytes that hold lines [from, to) (to <= lines), from the mark at or
   * before `from` to the one at or after `to`, and how many lines to skip.
   */
  span(from: number, to: number): { start: number; end: number; skip: number } {
    const first = Math.floor(from / INDEX_STRIDE);
    const last = Math.ceil(to / INDEX_STRIDE);
    return { start: this.marks[first]!, end: this.marks[last] ?? this.end, skip: from - first * INDEX_STRIDE };
  }
}

/** Reads a whole file's index in chunks: O(1) memory whatever its size. */
export async function scanIndex(handle: FileHandle, index = new LineIndex(), from = 0): Promise<LineIndex> {
  const buffer = Buffer.allocUnsafe(SCAN_CHUNK);
  for (let at = from; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, SCAN_CHUNK, at);
    if (bytesRead === 0) return index;
    index.scan(buffer.subarray(0, bytesRead), at);
    at += bytesRead;
  }
}

/** The same, synchronously (crash recovery at start, before anything is served). */
export function scanIndexSync(fd: number): LineIndex {
  const index = new LineIndex();
  const buffer = Buffer.allocUnsafe(SCAN_CHUNK);
  for (let at = 0; ; ) {
    const bytesRead = readSync(fd, buffer, 0, SCAN_CHUNK, at);
    if (bytesRead === 0) return index;
    index.scan(buffer.subarray(0, bytesRead), at);
    at += bytesRead;
  }
}

/** The text of lines [from, to) of the open file (to <= index.lines), read at their offsets with one bounded read. */
export async function readLines(handle: FileHandle, path: string, index: LineIndex, from: number, to: number): Promise<string[]> {
  if (to <= from) return [];
  const { start, end, skip } = index.span(from, to);
  const buffer = Buffer.allocUnsafe(end - start);
  for (let got = 0; got < buffer.length; ) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, got, buffer.length - got, start + got));
    } catch (error) {
      throw unreadable(path, from, error);
    }
    if (bytesRead === 0) throw new SlipwayError('failed', `the log file ${path} ends before line ${from + 1}: it was cut short after it was indexed`);
    got += bytesRead;
  }
  const texts: string[] = [];
  let at = 0;
  for (let line = 0; line < skip + (to - from); line++) {
    const nl = buffer.indexOf(10, at);
    if (nl === -1) throw new SlipwayError('failed', `the log file ${path} changed under its index near line ${from + line + 1}`);
    if (line >= skip) texts.push(buffer.toString('utf8', at, nl));
    at = nl + 1;
  }
  return texts;
}

export function unreadable(path: string, from: number, error: unknown): SlipwayError {
  return new SlipwayError('failed', `the log file ${path} could not be read at line ${from + 1}: ${(error as Error).message}`);
}

/**
 * Appends whole lines and keeps the index in step. A failed write (a full
 * disk) is cut back to the last whole line, so the file and its index agree
 * and the same lines can be written again later.
 */
export function appendLines(path: string, index: LineIndex, texts: readonly string[]): void {
  if (texts.length === 0) return;
  // Encoded once, and indexed by the newlines in those bytes (a native search): measuring each
  // line's UTF-8 length apart cost as much as writing them, at a flood's rate. A line holds no
  // newline of its own (JSON lines), so the newlines found are the lines written.
  const bytes = Buffer.from(`${texts.join('\n')}\n`);
  try {
    appendFileSync(path, bytes, { mode: 0o600 });
  } catch (error) {
    cutBack(path, index.bytes);
    throw error;
  }
  index.scan(bytes, index.bytes);
}

/** Drops whatever follows `bytes` (a torn line); best effort, for a file whose write just failed. */
function cutBack(path: string, bytes: number): void {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r+');
    if (fstatSync(fd).size > bytes) ftruncateSync(fd, bytes);
  } catch {
    // Nothing more to do: the next read finds the torn line and leaves it out.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * A log whose process died: its torn last line (if any) cut off, so a line
 * appended now starts on a line of its own; its index. Missing: an empty index.
 */
export function sealTorn(path: string): LineIndex {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    return new LineIndex();
  }
  try {
    const index = scanIndexSync(fd);
    if (fstatSync(fd).size > index.bytes) ftruncateSync(fd, index.bytes);
    return index;
  } finally {
    closeSync(fd);
  }
}
