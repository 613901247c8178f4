import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';
import { startHelper, type HelperClient } from './helper-client.js';

const script = join(packageRoot(), 'out', 'main', 'build-helper.js');
const nobody = 65534;
const owner = { pid: process.pid, startTime: '0' };
const asNobody = ['setpriv', `--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', '--'];

/**
 * The attacker of finding 2: a non-root process that keeps renaming the output
 * folder away and planting a link to a victim directory in its place, and
 * plants links at every name the helper uses. The paths are its arguments.
 */
const raceLoop = [
  'dir=$1; victim=$2; shift 2',
  'while :; do',
  '  mv -T -- "$dir" "$dir.away" 2>/dev/null && ln -sfn -- "$victim" "$dir" 2>/dev/null',
  '  for name in "$@"; do ln -s -- "$victim/$name" "$dir.away/$name" 2>/dev/null; ln -s -- "$victim/$name" "$dir/$name" 2>/dev/null; done',
  '  rm -f -- "$dir" 2>/dev/null; mv -T -- "$dir.away" "$dir" 2>/dev/null',
  'done',
].join('\n');

describe.runIf(process.getuid?.() === 0)('the helper keeps to the output folder it opened, whatever a racing user does (finding 2)', () => {
  let base: string;
  let victim: string;
  let helper: HelperClient;
  let racer: ChildProcess | null = null;
  let serial = 0;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'slipway-race-'));
    chmodSync(base, 0o755);
    victim = join(base, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep'), 'untouched');
    helper = await startHelper({ script, workspace: join(base, 'ws'), outputRoots: [base], elevation: 'root' });
  });
  afterEach(() => stopRacer());
  afterAll(async () => {
    await helper.close();
    rmSync(base, { recursive: true, force: true });
  });

  const victimUntouched = () => {
    expect(readdirSync(victim)).toEqual(['keep']);
    expect(readFileSync(join(victim, 'keep'), 'utf8')).toBe('untouched');
  };

  /** A parent folder owned by nobody, as a user's own folder under /tmp is. */
  function nobodysFolder(name: string): string {
    const dir = join(base, name);
    mkdirSync(dir);
    chownSync(dir, nobody, nobody);
    return dir;
  }

  function race(dir: string, names: readonly string[]): void {
    // Its own process group: the loop's mv/ln children must die with it.
    racer = spawn(asNobody[0]!, [...asNobody.slice(1), 'sh', '-c', raceLoop, 'race', dir, victim, ...names], { stdio: 'ignore', detached: true });
  }

  /** Kills the racer's whole group and waits until none of it runs: a mv still in flight would move the folder under the checks. */
  async function stopRacer(): Promise<void> {
    const child = racer;
    racer = null;
    if (!child?.pid) return;
    const group = -child.pid;
    const signal = (sig: NodeJS.Signals | 0): boolean => {
      try {
        process.kill(group, sig);
        return true;
      } catch {
        return false;
      }
    };
    signal('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    // Orphaned children go to init; a zombie answers signal 0 too, so the wait is bounded.
    for (let tries = 0; tries < 1000 && signal(0); tries++) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** A process running as nobody: a job whose owner it is runs for nobody as the operator. */
  /** A helper as `sudo` starts it for nobody: the operator is nobody (sudo's SUDO_UID). */
  async function helperForNobody(): Promise<HelperClient> {
    process.env.SUDO_UID = String(nobody);
    try {
      return await startHelper({ script, workspace: join(base, 'ws'), outputRoots: [base], elevation: 'root' });
    } finally {
      delete process.env.SUDO_UID;
    }
  }

  it('refuses an output folder inside a folder another user owns, and writes nothing anywhere', async () => {
    const parent = nobodysFolder('users-own');
    const out = join(parent, 'out');
    race(out, ['lab.yaml']);
    const id = `race-${String(++serial).padStart(6, '0')}`;
    await expect(helper.call('build.open', { buildId: id, outputDir: out, owner }).result).rejects.toThrow(
      new RegExp(`refused: ${parent} belongs to uid ${nobody}`),
    );
    victimUntouched();
  });

  it('refuses a shared folder that is not sticky, and one that belongs to another user inside a sticky one', async () => {
    const shared = join(base, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    await expect(helper.call('build.open', { buildId: `race-${String(++serial).padStart(6, '0')}`, outputDir: join(shared, 'out'), owner }).result).rejects.toThrow(
      /writable by others and not sticky/,
    );
    chmodSync(shared, 0o1777);
    const planted = join(shared, 'planted');
    mkdirSync(planted);
    chownSync(planted, nobody, nobody);
    await expect(helper.call('build.open', { buildId: `race-${String(++serial).padStart(6, '0')}`, outputDir: join(planted, 'out'), owner }).result).rejects.toThrow(
      /belongs to uid 65534/,
    );
    victimUntouched();
  });

  it('writes, packs, places and removes only in the folder it opened while the operator’s own folder is swapped for a link', async () => {
    const parent = nobodysFolder('operators-own');
    const out = join(parent, 'out');
    mkdirSync(out);
    chownSync(out, nobody, nobody);
    const inode = lstatSync(out).ino;
    const id = `race-${String(++serial).padStart(6, '0')}`;
    const forNobody = await helperForNobody();
    onTestFinished(() => forNobody.close());
    const call = forNobody.call.bind(forNobody);
    const opened = await call('build.open', { buildId: id, outputDir: out, owner }).result;
    const raw = join(opened.dir, 'root.img');
    await call('file.sparse', { buildId: id, path: raw, bytes: 1 << 20 }).result;
    const tree = join(opened.dir, 'tree');
    await call('dir.make', { buildId: id, path: join(tree, 'etc') }).result;
    await call('file.write', { buildId: id, path: join(tree, 'etc', 'hostname'), content: 'node\n', mode: 0o644 }).result;

    const rounds = 12;
    const names = Array.from({ length: rounds }, (_, i) => [`lab-${i}.yaml`, `lab-${i}.img.gz`, `tree-${i}.tar`]).flat();
    race(out, names);
    for (let i = 0; i < rounds; i++) {
      await call('file.write', { buildId: id, path: join(out, `lab-${i}.yaml`), content: `round ${i}\n`, mode: 0o644 }).result;
      await call('artifact.pack', { buildId: id, source: raw, dest: join(out, `lab-${i}.img.gz`), container: 'gzip' }).result;
      await call('artifact.place', { buildId: id, dest: join(out, `lab-${i}.img.gz`) }).result;
      await call('tree.pack', { buildId: id, root: tree, dest: join(out, `tree-${i}.tar`), format: 'tar' }).result;
      await call('artifact.place', { buildId: id, dest: join(out, `tree-${i}.tar`) }).result;
      if (i % 2 === 1) await call('file.remove', { buildId: id, path: join(out, `lab-${i}.yaml`) }).result;
    }
    // A partial left behind at close is removed through the folder too.
    await call('artifact.pack', { buildId: id, source: raw, dest: join(out, 'left.img.gz'), container: 'gzip' }).result;
    await call('build.close', { buildId: id }).result;
    await stopRacer();

    victimUntouched();
    // The folder the helper opened, wherever the racer left it.
    const original = [out, `${out}.away`].find((dir) => existsSync(dir) && !lstatSync(dir).isSymbolicLink() && lstatSync(dir).ino === inode)!;
    expect(original).toBeDefined();
    const files = readdirSync(original).filter((name) => !lstatSync(join(original, name)).isSymbolicLink());
    const expected = Array.from({ length: rounds }, (_, i) => [...(i % 2 === 1 ? [] : [`lab-${i}.yaml`]), `lab-${i}.img.gz`, `tree-${i}.tar`]).flat();
    expect(files.sort()).toEqual(expected.sort());
    for (const name of files) expect(lstatSync(join(original, name)).uid).toBe(0);
    expect(readFileSync(join(original, 'lab-0.yaml'), 'utf8')).toBe('round 0\n');
    expect(execFileSync('tar', ['--list', '--file', join(original, 'tree-0.tar')], { encoding: 'utf8' })).toContain('./etc/hostname');
  }, 60_000);
});
