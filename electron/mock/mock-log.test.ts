import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import type { LogLine } from '../../shared/contract/index.js';
import { MockLog, MockLogFiles } from './mock-log.js';

const line = (n: number): LogLine => ({ n, step: 'debootstrap', stream: 'out', text: `./usr/share/locale/de/LC_MESSAGES/file${n}.mo` });

it('a flood in the mocked backend is bounded in memory as a real log is, every line still paged, its file gone on close', async () => {
  const files = new MockLogFiles();
  const short = new MockLog(files);
  for (let n = 0; n < 100; n++) short.add('debootstrap', 'out', line(n).text);
  const log = new MockLog(files);
  for (let n = 0; n < 200_000; n++) log.add('debootstrap', 'out', line(n).text);
  expect(log.add('debootstrap', 'out', 'one more')).toEqual({ n: 200_000, step: 'debootstrap', stream: 'out', text: 'one more' });
  expect(log.total).toBe(200_001);
  expect(log.inMemory).toBeLessThanOrEqual(20_000);
  expect(short.inMemory).toBe(100);
  expect(await log.page(0, 3)).toEqual([line(0), line(1), line(2)]);
  expect(await log.page(123_456, 2)).toEqual([line(123_456), line(123_457)]);
  expect((await log.page(199_999, 10)).map((l) => l.n)).toEqual([199_999, 200_000]);
  // Only the long log touched the disk: its file is the first made.
  const path = files.next();
  expect(path.endsWith('2.log.jsonl')).toBe(true);
  files.close();
  expect(existsSync(dirname(path))).toBe(false);
});
