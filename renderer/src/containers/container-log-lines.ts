import { formatTime } from '../lib/format.js';

/** One line of a container's s6-log, as the Log panel shows it. */
export interface LogLine {
  /** Ever increasing while a log is shown: a stable React key across trims. */
  id: number;
  /** The console's time (`formatTime`: HH:MM:SS today, YYYY-MM-DD HH:MM before), or the raw first word when it is not a TAI64N stamp; null when the line has none. */
  stamp: string | null;
  /** When the stamp says, for `<time dateTime>`; null when it did not parse. */
  at: string | null;
  text: string;
  /** A marker the panel adds where s6-log began a new `current`, not a line of the log. */
  rotated?: true;
}

/** The panel keeps this many of the newest lines: a chatty service must not grow the page without end. */
export const maxLogLines = 5_000;

/** TAI64N counts TAI seconds: 10 s plus the 27 leap seconds since 1972 ahead of UTC (s6-tai64nlocal takes them off too). */
const taiMinusUtc = 37;
const tai64n = /^@(40000000[0-9a-f]{8})([0-9a-f]{8})$/i;

/**
 * The time a TAI64N label stands for, or null. Only the low 8 hex digits of
 * the seconds are parsed: the whole 2^62-based number is past what a double
 * holds exactly, and its high half is always 40000000 until 2106.
 */
export function decodeTai64n(label: string): Date | null {
  const match = tai64n.exec(label);
  if (!match) return null;
  const seconds = Number.parseInt(match[1]!.slice(8), 16) - taiMinusUtc;
  const nanos = Number.parseInt(match[2]!, 16);
  if (nanos >= 1e9) return null;
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6));
}

export function parseLogLine(line: string, id: number): LogLine {
  const space = line.indexOf(' ');
  const head = space < 0 ? line : line.slice(0, space);
  if (!head.startsWith('@')) return { id, stamp: null, at: null, text: line };
  const date = decodeTai64n(head);
  const text = space < 0 ? '' : line.slice(space + 1);
  return date ? { id, stamp: formatTime(date), at: date.toISOString(), text } : { id, stamp: head, at: null, text };
}

/** Splits a read's whole lines (each ends with a newline) into log lines numbered from `firstId`. */
export function parseLogText(text: string, firstId: number): LogLine[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.map((line, index) => parseLogLine(line, firstId + index));
}

/** The held lines with the new ones after them, no more than `max` of the newest. */
export function appendLogLines(held: readonly LogLine[], added: readonly LogLine[], max = maxLogLines): LogLine[] {
  const all = [...held, ...added];
  return all.length > max ? all.slice(all.length - max) : all;
}
