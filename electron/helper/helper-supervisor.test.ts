import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIdentity, type ProcessIdentity } from '../process/process-identity.js';
import { orphanedBuilds } from './helper-supervisor.js';

describe('orphanedBuilds', () => {
  let workspace: string;
  const self = processIdentity()!;
  /** A pid no process has (above the kernel's pid_max limit of 2^22). */
  const dead: ProcessIdentity = { pid: 2 ** 22 + 17, startTime: '12345' };

  const build = (id: string, owner: unknown | null) => {
    mkdirSync(join(workspace, 'builds', id), { recursive: true });
    if (owner !== null) {
      writeFileSync(join(workspace, 'builds', id, 'owner.json'), typeof owner === 'string' ? owner : JSON.stringify(owner));
    }
  };
  const sorted = (ids: string[]) => [...ids].sort();

  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'slipway-orphans-'));
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  it('finds nothing in a workspace with no builds dir, or an empty one', () => {
    expect(orphanedBuilds(workspace, self, new Set())).toEqual([]);
    mkdirSync(join(workspace, 'builds'));
    expect(orphanedBuilds(workspace, self, new Set())).toEqual([]);
  });

  it('a build whose owner is dead is an orphan', () => {
    build('20250101-dead0001', { ...dead, outputDir: '/srv/images' });
    expect(orphanedBuilds(workspace, self, new Set())).toEqual(['20250101-dead0001']);
  });

  it('a build of a reused pid (the pid lives, with another start time) is an orphan', () => {
    build('20250101-reused01', { pid: self.pid, startTime: `${self.startTime}0`, outputDir: '/srv/images' });
    expect(orphanedBuilds(workspace, self, new Set(['20250101-reused01']))).toEqual(['20250101-reused01']);
  });

  it('a build of this process that is live is not an orphan; one that is not live is', () => {
    build('20250101-mine0001', { ...self, outputDir: '/srv/images' });
    build('20250101-mine0002', { ...self, outputDir: '/srv/images' });
    expect(orphanedBuilds(workspace, self, new Set(['20250101-mine0001']))).toEqual(['20250101-mine0002']);
    expect(sorted(orphanedBuilds(workspace, self, new Set()))).toEqual(['20250101-mine0001', '20250101-mine0002']);
  });

  it('a build of another live process is not an orphan, live set or not', () => {
    const parent = processIdentity(process.ppid);
    expect(parent).not.toBeNull();
    build('20250101-other001', { ...parent, outputDir: '/srv/images' });
    expect(orphanedBuilds(workspace, self, new Set())).toEqual([]);
  });

  it.each([
    ['no owner.json (died while opening)', null],
    ['an empty owner.json', ''],
    ['a torn owner.json', '{"pid": 12'],
    ['owner.json that is JSON null', 'null'],
  ])('a build with %s is an orphan', (_what, owner) => {
    build('20250101-broken01', owner);
    expect(orphanedBuilds(workspace, self, new Set(['20250101-broken01']))).toEqual(['20250101-broken01']);
  });

  it('sorts the workspace out build by build', () => {
    build('20250101-dead0001', dead);
    build('20250101-live0001', self);
    build('20250101-mine0002', self);
    build('20250101-noowner1', null);
    expect(sorted(orphanedBuilds(workspace, self, new Set(['20250101-live0001'])))).toEqual(['20250101-dead0001', '20250101-mine0002', '20250101-noowner1']);
  });

  // Regression (a bug once): any entry of builds/ is taken for a build, files included; the helper's
  // `recover` then refuses the whole call because the name is not a build id.
  it('ignores entries of builds/ that are not build directories', () => {
    mkdirSync(join(workspace, 'builds'));
    writeFileSync(join(workspace, 'builds', 'NOTES.txt'), 'kept by hand\n');
    expect(orphanedBuilds(workspace, self, new Set())).toEqual([]);
  });
});
