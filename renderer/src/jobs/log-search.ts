/** Indices of the lines containing `query`, ignoring case. */
export function findMatches(lines: readonly { text: string }[], query: string): number[] {
  const needle = query.toLowerCase();
  if (!needle) return [];
  const found: number[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i]!.text.toLowerCase().includes(needle)) found.push(i);
  }
  return found;
}

export interface TextPart {
  text: string;
  match: boolean;
}

/** A line cut around each occurrence of `query`, for highlighting. */
export function splitMatches(text: string, query: string): TextPart[] {
  const needle = query.toLowerCase();
  if (!needle) return [{ text, match: false }];
  const haystack = text.toLowerCase();
  const parts: TextPart[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, from)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}

/** What a viewer reads lines from: a job's LogBuffer and a run's TraceBuffer both are. */
export interface ReadableLines<L> {
  readonly length: number;
  at(index: number): L | undefined;
  /** A line's text without building the line (a search over a flood reads millions). */
  textAt?(index: number): string | undefined;
}

const textOf = (lines: ReadableLines<{ text: string }>, index: number) => (lines.textAt ? lines.textAt(index) : lines.at(index)?.text);

/**
 * Like `findMatches`, within the rows a filter outside the search keeps
 * (`rows`: indices into `lines`; null keeps them all). Gives positions in
 * that list, so "matching lines only" and the match count agree with what is shown.
 * `from`/`to` limit the positions scanned (an incremental search scans only what is new).
 */
export function findMatchesIn(lines: ReadableLines<{ text: string }>, rows: readonly number[] | null, query: string, from = 0, to?: number): number[] {
  const needle = query.toLowerCase();
  if (!needle) return [];
  const found: number[] = [];
  const count = Math.min(to ?? Infinity, rows ? rows.length : lines.length);
  for (let position = from; position < count; position += 1) {
    if (textOf(lines, rows ? rows[position]! : position)?.toLowerCase().includes(needle)) found.push(position);
  }
  return found;
}

/** A search kept up to date as its log grows: each update scans the new positions only. */
export interface IncrementalSearch<L> {
  lines: ReadableLines<L>;
  rows: readonly number[] | null;
  query: string;
  scanned: number;
  matches: number[];
}

/**
 * The search's matches now: the same search (log, filter, query) goes on from
 * where it stopped, anything else starts again. Matches grow in place.
 */
export function searchOnward<L extends { text: string }>(previous: IncrementalSearch<L> | null, lines: ReadableLines<L>, rows: readonly number[] | null, query: string): IncrementalSearch<L> {
  const same = previous !== null && previous.lines === lines && previous.rows === rows && previous.query === query;
  const search = same ? previous : { lines, rows, query, scanned: 0, matches: [] };
  const count = rows ? rows.length : lines.length;
  if (!query) {
    search.scanned = count;
    return search;
  }
  if (count > search.scanned) {
    for (const position of findMatchesIn(lines, rows, query, search.scanned, count)) search.matches.push(position);
    search.scanned = count;
  }
  return search;
}
