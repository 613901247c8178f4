import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuildDetail } from '../../shared/contract/index.js';
import type { HelperSource } from '../helper/helper-supervisor.js';
import { processIdentity } from '../process/process-identity.js';
import { writeCheckpoint, type BuildCheckpoint } from './build-checkpoint.js';
import { answeringHelper } from '../helper/test-support/answering-helper.js';
import { initialSteps } from './build-pipeline.js';
import { resumeHostBuilds } from './host-build-resume.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A console that is gone: no process has pid 2^22 + 1 (above Linux's pid_max). */
const deadConsole = { pid: 4_194_305, startTime: '1' };
const ctx = { dir: '/w/b', root: '/w/b/root', cacheDir: '/w/cache', images: [], baseReused: false, mounts: [], installed: [], artifacts: [], metadataPath: null };

function point(buildId: string, host: string, session: string, seq: number, calls: number[]): BuildCheckpoint {
  return { buildId, host, session, console: deadConsole, specHash: 'h', step: 4, seq, calls, opened: true, ctx, steps: initialSteps() };
}

const detail = (id: string) => ({ summary: { id } }) as BuildDetail;

function lab(points: BuildCheckpoint[], held: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-resume-'));
  dirs.push(dir);
  points.forEach((p) => writeCheckpoint(dir, p));
  const adopted: [string, string, number, number][] = [];
  const interrupted: [string, string][] = [];
  const carried: string[] = [];
  return {
    dir, adopted, interrupted, carried,
    deps: (adopt: (host: string) => Promise<HelperSource>) => ({
      dir,
      adopt: (host: string, session: string, after: number, firstId: number) => {
        adopted.push([host, session, after, firstId]);
        return adopt(host);
      },
      held: () => held.map(detail),
      interrupt: (id: string, why: string) => void interrupted.push([id, why]),
      carryOn: (d: BuildDetail) => {
        carried.push(d.summary.id);
        return `carried ${d.summary.id}`;
      },
    }),
  };
}

/** A session's helper as attached: `oldestKept` is the oldest message it could still replay. */
const attachedSource = (oldestKept?: number): HelperSource => {
  const helper = answeringHelper(async () => ({ released: [], failed: [] }));
  return { get: async () => (oldestKept === undefined ? helper : { ...helper, oldestKept }), close: async () => undefined };
};
const source = attachedSource();

describe('carrying on the build hosts\' builds of a console that ended', () => {
  it('attaches to each session once, from the earliest step start among its builds, numbering past every noted id', async () => {
    const a = '00000000000000aa';
    const b = '00000000000000bb';
    const { deps, adopted, carried, interrupted } = lab([point('20261204-00000001', 'h1', a, 40, [7, 9]), point('20261204-00000002', 'h1', a, 25, [8]), point('20261204-00000003', 'h2', b, 3, [])], ['20261204-00000001', '20261204-00000002', '20261204-00000003']);
    const { carried: lines, ended } = await resumeHostBuilds(deps(async () => source));
    expect(ended).toEqual([]);
    expect(adopted.sort()).toEqual([['h1', a, 25, 10], ['h2', b, 3, 1]]);
    expect(carried.sort()).toEqual(['20261204-00000001', '20261204-00000002', '20261204-00000003']);
    expect(lines).toHaveLength(3);
    expect(interrupted).toEqual([]);
  });

  it('a session whose helper cannot be reached again ends its builds saying why; a damaged note, or none, ends its build too', async () => {
    const { deps, dir, interrupted, carried } = lab([point('20261204-00000001', 'h1', '00000000000000aa', 1, [1])], ['20261204-00000001', '20261204-00000002', '20261204-00000004']);
    writeFileSync(join(dir, '20261204-00000002.json'), '{"buildId":');
    const { ended: lines } = await resumeHostBuilds(deps(async () => Promise.reject(new Error('the helper on h1 is gone (no console attached for 900 s)'))));
    expect(carried).toEqual([]);
    expect(Object.fromEntries(interrupted)).toEqual({
      '20261204-00000001': 'interrupted: its console ended, and this one could not carry it on: its helper on h1 could not be reached again: the helper on h1 is gone (no console attached for 900 s)',
      '20261204-00000002': 'interrupted: its console ended, and this one could not carry it on: the note of where it stood is damaged',
      '20261204-00000004': 'interrupted: its console ended, and this one could not carry it on: there is no note of where it stood',
    });
    expect(lines).toHaveLength(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves alone a build whose console still runs (a CLI beside this one), and drops the note of one already ended', async () => {
    const alive = { ...point('20261204-00000001', 'h1', '00000000000000aa', 1, [1]), console: processIdentity()! };
    const { deps, dir, adopted } = lab([alive, point('20261204-00000009', 'h1', '00000000000000aa', 1, [2])], []);
    expect(await resumeHostBuilds(deps(async () => source))).toEqual({ carried: [], ended: [] });
    expect(adopted).toEqual([]);
    expect(readdirSync(dir)).toEqual(['20261204-00000001.json']);
  });

  it('a build that cannot be carried on over an attached session (its spec reads differently here) ends, and what it holds there is released at once', async () => {
    const { deps, interrupted } = lab([point('20261204-00000001', 'h1', '00000000000000aa', 1, [1])], ['20261204-00000001']);
    const asked: string[] = [];
    const helper = answeringHelper(async (op, args) => {
      asked.push(`${op} ${String(args.buildId)}`);
      return { released: ['mount at /w/b/root'], failed: [] };
    });
    const attached = { get: async () => helper, close: async () => undefined } satisfies HelperSource;
    const { ended: lines } = await resumeHostBuilds({ ...deps(async () => attached), carryOn: () => { throw new Error('its spec reads differently on this console'); } });
    expect(interrupted).toEqual([['20261204-00000001', 'interrupted: its console ended, and this one could not carry it on: its spec reads differently on this console']]);
    expect(asked).toEqual(['build.close 20261204-00000001']);
    expect(lines.at(-1)).toBe('build 20261204-00000001: released on its host (mount at /w/b/root)');
  });

  it('a build whose step began before the oldest message its helper still keeps is not carried on (its answers are gone), and is released', async () => {
    const { deps, interrupted, carried } = lab([point('20261204-00000001', 'h1', '00000000000000aa', 3, [1]), point('20261204-00000002', 'h1', '00000000000000aa', 40, [2])], ['20261204-00000001', '20261204-00000002']);
    const { ended: lines } = await resumeHostBuilds(deps(async () => attachedSource(30)));
    expect(carried).toEqual(['20261204-00000002']);
    expect(interrupted).toEqual([['20261204-00000001', 'interrupted: its console ended, and this one could not carry it on: its helper on h1 no longer holds what it said since step 5 began (it keeps its last 200,000 messages)']]);
    expect(lines).toContain('build 20261204-00000001: released on its host (it held nothing)');
  });
});
