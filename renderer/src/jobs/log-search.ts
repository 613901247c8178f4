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
}

/**
 * Like `findMatches`, within the rows a filter outside the search keeps
 * (`rows`: indices into `lines`; null keeps them all). Gives positions in
 * that list, so "matching lines only" and the match count agree with what is shown.
 */
export function findMatchesIn(lines: ReadableLines<{ text: string }>, rows: readonly number[] | null, query: string): number[] {
  const needle = query.toLowerCase();
  if (!needle) return [];
  const found: number[] = [];
  const count = rows ? rows.length : lines.length;
  for (let position = 0; position < count; position += 1) {
    if (lines.at(rows ? rows[position]! : position)?.text.toLowerCase().includes(needle)) found.push(position);
  }
  return found;
}
