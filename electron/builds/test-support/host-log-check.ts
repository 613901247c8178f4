import { expect } from 'vitest';

/** Every line the host logged is in the console's log, in the same order, and none more often than the host said it. */
export function expectEveryLineOnce(hostLines: string[], log: string[]): void {
  expect(hostLines.length).toBeGreaterThan(100);
  let at = -1;
  for (const line of hostLines) {
    at = log.indexOf(line, at + 1);
    expect(at, `"${line}" missing from the console's log`).toBeGreaterThanOrEqual(0);
  }
  const count = (lines: string[], line: string) => lines.filter((l) => l === line).length;
  expect(hostLines.filter((line) => count(log, line) > count(hostLines, line))).toEqual([]);
}
