import { mkdtempSync, readdirSync, writeFileSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { JobClaims } from './job-claims.js';

/** A temp folder of this test's, removed when it finishes. */
function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const me = { pid: 100, startTime: '1' };
const other = { pid: 200, startTime: '2' };
const refusal = (holder: string) => `already running: ${holder}`;

describe('job claims', () => {
  const setup = (living: { pid: number }[] = [me, other]) => {
    const dir = join(scratch('claims-'), 'claims');
    const alive = (owner: { pid: number }) => living.some((p) => p.pid === owner.pid);
    return { dir, mine: new JobClaims(dir, me, alive), theirs: new JobClaims(dir, other, alive) };
  };

  it('refuses a second job on the same target, in this process or another, naming the first; the release frees it', () => {
    const { mine, theirs } = setup();
    const release = mine.claim(['out:/srv/images/lab'], 'build 20261202-aa', refusal);
    expect(() => mine.claim(['out:/srv/images/lab'], 'build 20261202-bb', refusal)).toThrow(expect.objectContaining({ code: 'busy', message: 'already running: build 20261202-aa' }));
    expect(() => theirs.claim(['out:/srv/images/lab'], 'build x', refusal)).toThrow('build 20261202-aa');
    // Another target is free.
    theirs.claim(['out:/srv/images/other'], 'build y', refusal);
    release();
    mine.claim(['out:/srv/images/lab'], 'build 20261202-cc', refusal);
  });

  it('claims all of its keys or none', () => {
    const { dir, mine, theirs } = setup();
    theirs.claim(['app:hello@n2'], 'run r1', refusal);
    expect(() => mine.claim(['app:hello@n1', 'app:hello@n2', 'app:hello@n3'], 'run r2', refusal)).toThrow('run r1');
    expect(readdirSync(dir)).toHaveLength(1);
    mine.claim(['app:hello@n1', 'app:hello@n3'], 'run r3', refusal);
  });

  it('takes over the claim of a process that died, and a half-written claim a crash left', () => {
    const { dir, theirs } = setup([me]);
    const crashed = new JobClaims(dir, other, () => true);
    crashed.claim(['out:/a'], 'build dead', refusal);
    theirs.claim(['out:/a'], 'build next', refusal);

    // A claim file that is not JSON: held while fresh (being written), stale once old.
    const emptyClaims = new JobClaims(join(dir, 'empty'), me, () => true);
    emptyClaims.claim(['out:/c'], 'build c', refusal);
    const [file] = readdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'empty', file!), '');
    expect(() => emptyClaims.claim(['out:/c'], 'build d', refusal)).toThrow('another job');
    utimesSync(join(dir, 'empty', file!), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    emptyClaims.claim(['out:/c'], 'build e', refusal);
  });
});
