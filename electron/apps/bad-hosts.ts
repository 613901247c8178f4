/**
 * NEPI's bad-host patterns: error output that says the node itself is broken
 * (its package keys or repository metadata, its disk), not the application.
 * A node that prints one goes on the blacklist, with the matched line.
 */
export const defaultBadHostPatterns = [
  String.raw`GPG error|NO_PUBKEY|KEYEXPIRED|BADSIG|public key is not available`,
  String.raw`Hash Sum mismatch|Failed to fetch .*(InRelease|Packages)|Cannot retrieve repository metadata|repomd\.xml|Release file for .* is (not valid yet|expired)`,
  String.raw`Input/output error|I/O error|Read-only file system|No space left on device`,
  String.raw`build master .* (unreachable|is gone)`,
];

export interface BadHostMatch {
  line: string;
  pattern: string;
}

export function matchBadHost(output: string, patterns: readonly string[] = defaultBadHostPatterns): BadHostMatch | null {
  const compiled = patterns.map((pattern) => ({ pattern, re: new RegExp(pattern, 'i') }));
  for (const line of output.split('\n')) {
    // A line is judged by its first 2,000 characters: a megabyte of one line is no reason to spend a second on it.
    const hit = compiled.find(({ re }) => re.test(line.slice(0, 2_000)));
    if (hit) return { line: line.trim().slice(0, 500), pattern: hit.pattern };
  }
  return null;
}
