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
