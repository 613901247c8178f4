const genericVersion = /\b(\d+\.\d+(?:\.\d+)*(?:[+~-][\w.+~-]*)?)/;

/** The version a tool printed, from its first line that has one. */
export function parseVersion(output: string, pattern: RegExp = genericVersion): string | null {
  for (const line of output.split('\n')) {
    const match = pattern.exec(line);
    if (match) return match[1] ?? match[0];
  }
  return null;
}
