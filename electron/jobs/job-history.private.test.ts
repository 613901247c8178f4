import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { JobHistory } from './job-history.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('finding 8: job state and logs are 0600 in a 0700 folder', () => {
  const history = new JobHistory<{ id: string }, { text: string }>(dir, { kind: 'deploys', id: (d) => d.id, startedAt: () => '2026-12-01T00:00:00.000Z', parseDetail: (raw) => raw as { id: string }, parseLine: (raw) => raw as { text: string } });
  history.save({ id: 'dep-1' }, [{ text: 'line' }]);
  expect(statSync(join(dir, 'deploys')).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, 'deploys', 'dep-1.json')).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, 'deploys', 'dep-1.log.jsonl')).mode & 0o777).toBe(0o600);
});
