import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildDetail, LogLine } from '../../shared/contract/index.js';
import { initialSteps } from './build-pipeline.js';
import { BuildHistory } from './build-history.js';

const detail = (id: string, startedAt: string, patch: Partial<BuildDetail['summary']> = {}): BuildDetail => ({
  summary: {
    id,
    name: 'lab',
    specHash: 'a'.repeat(64),
    status: 'succeeded',
    cacheHit: false,
    startedAt,
    finishedAt: startedAt,
    durationMs: 1234,
    failedStep: null,
    error: null,
    artifacts: [
      {
        image: 'root',
        path: '/srv/images/lab.root.img.gz',
        container: 'gzip',
        rawSize: 1 << 30,
        rawMd5: '1'.repeat(32),
        rawSha256: '2'.repeat(64),
        containerSize: 1 << 20,
        containerMd5: '3'.repeat(32),
        containerSha256: '4'.repeat(64),
      },
    ],
    metadataPath: '/srv/images/lab.yaml',
    ...patch,
  },
  steps: initialSteps().map((step) => ({ ...step, status: 'done', startedAt, durationMs: 10, message: 'ok' })),
  logTotal: 2,
  specText: 'name: lab\nsuite: bookworm\n',
});

const lines: LogLine[] = [
  { n: 0, step: null, stream: 'info', text: 'build 20250101-aaaa: lab' },
  { n: 1, step: 'mkfs', stream: 'err', text: 'mke2fs 1.47.0 (5-Feb-2023)' },
];

/** The whole of a (short) log, a page at a time as the viewer reads it. */
async function logOf(history: BuildHistory, id: string): Promise<LogLine[]> {
  const page = await history.logPage(id, 0, 5_000, (n, why): LogLine => ({ n, step: null, stream: 'err', text: `damaged: ${why}` }));
  expect(page.total).toBe(page.lines.length);
  return page.lines;
}

describe('BuildHistory', () => {
  let state: string;

  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'slipway-history-'));
  });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  it('loads nothing before anything was saved', async () => {
    const history = new BuildHistory(state);
    expect(history.load()).toEqual([]);
    expect(await logOf(history, '20250101-aaaa')).toEqual([]);
  });

  it('saves a build and loads it back, detail and log', async () => {
    const saved = detail('20250101-aaaa', '2025-01-01T10:00:00.000Z');
    new BuildHistory(state).save(saved, lines);
    const history = new BuildHistory(state);
    expect(history.load()).toEqual([{ detail: saved, owner: null }]);
    expect(await logOf(history, '20250101-aaaa')).toEqual(lines);
    // No temp files are left beside them.
    expect(readdirSync(join(state, 'builds')).sort()).toEqual(['20250101-aaaa.json', '20250101-aaaa.log.jsonl']);
  });

  it('lists builds newest first, whatever order they were saved in', () => {
    const history = new BuildHistory(state);
    history.save(detail('20250102-bbbb', '2025-01-02T08:00:00.000Z'), []);
    history.save(detail('20250103-cccc', '2025-01-03T08:00:00.000Z', { status: 'failed', failedStep: 'mkfs', error: 'mkfs failed', artifacts: [], metadataPath: null }), []);
    history.save(detail('20250101-aaaa', '2025-01-01T08:00:00.000Z', { status: 'cancelled' }), []);
    expect(history.load().map(({ detail: d }) => [d.summary.id, d.summary.status])).toEqual([
      ['20250103-cccc', 'failed'],
      ['20250102-bbbb', 'succeeded'],
      ['20250101-aaaa', 'cancelled'],
    ]);
  });

  it('saving the same build again replaces it', async () => {
    const history = new BuildHistory(state);
    history.save(detail('20250101-aaaa', '2025-01-01T08:00:00.000Z', { status: 'running' }), lines.slice(0, 1));
    history.save(detail('20250101-aaaa', '2025-01-01T08:00:00.000Z'), lines);
    expect(history.load().map(({ detail: d }) => d.summary.status)).toEqual(['succeeded']);
    expect(await logOf(history, '20250101-aaaa')).toHaveLength(2);
  });

  it('skips a damaged file and keeps the others', () => {
    const history = new BuildHistory(state);
    history.save(detail('20250101-aaaa', '2025-01-01T08:00:00.000Z'), lines);
    history.save(detail('20250102-bbbb', '2025-01-02T08:00:00.000Z'), lines);
    writeFileSync(join(state, 'builds', '20250102-bbbb.json'), '{"summary": {"id": "20250102-bb');
    writeFileSync(join(state, 'builds', 'bad-status.json'), JSON.stringify(detail('x', '2025-01-04T08:00:00.000Z', { status: 'exploded' as never })));
    writeFileSync(join(state, 'builds', 'no-steps.json'), JSON.stringify({ summary: detail('y', '2025-01-05T08:00:00.000Z').summary }));
    expect(history.load().map(({ detail: d }) => d.summary.id)).toEqual(['20250101-aaaa']);
  });

  it('reads no log for an unknown build; of a damaged log, a damaged line is marked in its place and a torn last one (a crash) is not a line', async () => {
    const history = new BuildHistory(state);
    history.save(detail('20250101-aaaa', '2025-01-01T08:00:00.000Z'), lines);
    expect(await logOf(history, '20250109-zzzz')).toEqual([]);
    writeFileSync(join(state, 'builds', '20250101-aaaa.log.jsonl'), `${JSON.stringify(lines[0])}\n{"n": "one"}\n{"n": 2, "st`);
    expect(await logOf(history, '20250101-aaaa')).toEqual([lines[0], { n: 1, step: null, stream: 'err', text: expect.stringMatching(/^damaged/) }]);
  });

  it('saves and reads back an empty log', async () => {
    const history = new BuildHistory(state);
    history.save(detail('20250101-aaaa', '2025-01-01T08:00:00.000Z', { cacheHit: true }), []);
    expect(await logOf(history, '20250101-aaaa')).toEqual([]);
    expect(history.load()[0]?.detail.summary.cacheHit).toBe(true);
  });
});
