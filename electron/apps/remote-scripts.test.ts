import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dependsScript, homeScript, parseStatus, spawnScript, statusScript, stopScript, type SpawnSpec } from './remote-scripts.js';

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('remote scripts, run with the local sh', () => {
  let dir = '';
  let home = '';
  const app = (command: string): SpawnSpec => ({
    home, script: 'app.sh', cwd: home, command, env: { GREETING: "it's me" }, stdout: 'stdout', stderr: 'stderr', stdin: 'stdin', pidfile: 'pid', exitfile: 'exitcode', sudo: false,
  });
  const status = (offsets: Record<string, number> = {}) => parseStatus(sh(statusScript(home, ['stdout', 'stderr'].map((file) => ({ file, offset: offsets[file] ?? 0 })))));
  /** Waits for a state (each check runs sh: slow on a loaded machine), up to 30 s; the assertion after it says what was missing. */
  const until = async (check: () => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!check() && Date.now() < deadline) await sleep(50);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-apps-'));
    const out = sh(homeScript(dir, 'run-1/node-a'));
    home = /home=(.*)/.exec(out)![1]!;
    expect(out).toMatch(/platform=\S+ \S+ \S+/);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts detached with the environment and stdin, and reports output and exit code', async () => {
    writeFileSync(join(home, 'stdin'), 'from stdin\n');
    expect(sh(spawnScript(app('echo "$GREETING"; cat; echo oops >&2; exit 3')))).toMatch(/pid=\d+/);
    await until(() => existsSync(join(home, 'exitcode')));
    const report = status();
    expect(report).toMatchObject({ app: 'gone', exitCode: 3, build: 'none' });
    const stdout = report.chunks.find((c) => c.file === 'stdout')!;
    expect(stdout.data.toString()).toBe("it's me\nfrom stdin\n");
    expect(report.chunks.find((c) => c.file === 'stderr')!.data.toString()).toBe('oops\n');
    expect(status({ stdout: stdout.data.length, stderr: 5 }).chunks).toEqual([]);
  });

  it('stops with TERM, and with KILL a program that ignores TERM; both exit codes recorded', { timeout: 90_000 }, async () => {
    sh(spawnScript(app('echo up; exec sleep 30')));
    await until(() => status().app === 'running');
    expect(status().app).toBe('running');
    expect(sh(stopScript(home, 'pid', 'exitcode', 2, false))).toContain('stop=TERM');
    await until(() => existsSync(join(home, 'exitcode')));
    expect(status()).toMatchObject({ app: 'gone', exitCode: 143 });

    sh(spawnScript(app("trap '' TERM; echo stubborn; while :; do sleep 0.1; done")));
    await until(() => status().chunks.some((c) => c.data.toString().includes('stubborn')));
    expect(sh(stopScript(home, 'pid', 'exitcode', 1, false))).toContain('stop=KILL after 1 s');
    await until(() => existsSync(join(home, 'exitcode')));
    expect(status()).toMatchObject({ app: 'gone', exitCode: 137 });
  });

  it('a pidfile whose pid now belongs to another process is not the app', () => {
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(join(home, 'pid'), `${other.pid} 12345\n`);
      expect(status().app).toBe('gone');
      expect(sh(stopScript(home, 'pid', 'exitcode', 1, false))).toContain('stop=none');
      expect(other.exitCode).toBeNull();
    } finally {
      other.kill();
    }
  });

  it('checks packages and installs only what is missing; without root or sudo it says so', () => {
    expect(sh(dependsScript(['coreutils'], false))).toContain('already installed');
    // A node user who is not root: `id -u` says 1000.
    writeFileSync(join(dir, 'id'), '#!/bin/sh\necho 1000\n');
    execFileSync('chmod', ['755', join(dir, 'id')]);
    const result = spawnSync('sh', ['-c', dependsScript(['coreutils', 'surely-not-a-package-xyz'], false)], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing packages: surely-not-a-package-xyz (not root; set sudo: true');
  });
});
