import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnScript } from '../apps/remote-scripts.js';
import { scanScript } from '../containers/container-scan.js';
import { configureScript, type ContainerSpec } from '../containers/container-scripts.js';

/** The security review's node-side injections, exactly as reported: each would create `x` in its sandbox. */
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function run(script: string): { dir: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-injection-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'script.sh'), script);
  const result = spawnSync('sh', ['script.sh'], { cwd: dir, encoding: 'utf8', timeout: 10_000 });
  return { dir, stderr: result.stderr };
}

const container = (dir: string, over: Partial<ContainerSpec>): ContainerSpec => ({
  root: join(dir, 'root'), unique: 'p.a-0000000001-AAAAAAAAAAAAA', uniqueId: 'AAAAAAAAAAAAA', instance: 'p.a#0000000001', proid: 'root',
  service: 'web', command: 'true', image: '/bin/sh', memoryBytes: 1 << 20, environ: {}, ...over,
});

describe('node-side injections from the security review', () => {
  it('finding 3: an image path with $(…) is a path, not a command', () => {
    const probe = mkdtempSync(join(tmpdir(), 'slipway-injection-probe-'));
    dirs.push(probe);
    const { stderr } = run(configureScript(container(probe, { image: `/nonexistent/$(touch ${probe}/x)` }), 'name: a\n', '{}'));
    expect(existsSync(join(probe, 'x'))).toBe(false);
    expect(stderr).toBe(`no image file /nonexistent/$(touch ${probe}/x) on this node\n`);
  });

  it('finding 3: a service command with a line SLIPWAY_EOF stays the service command, run on no host', () => {
    const probe = mkdtempSync(join(tmpdir(), 'slipway-injection-probe-'));
    dirs.push(probe);
    run(configureScript(container(probe, { command: `echo hi\nSLIPWAY_EOF\ntouch ${probe}/x\n: '` }), 'name: a\n', '{}'));
    expect(existsSync(join(probe, 'x'))).toBe(false);
  });

  it('finding 4: an app env value with a line SLIPWAY_EOF stays a value', () => {
    const probe = mkdtempSync(join(tmpdir(), 'slipway-injection-probe-'));
    dirs.push(probe);
    run(spawnScript({
      home: '.', script: 'app.sh', cwd: '.', command: 'true', env: { X: `a\nSLIPWAY_EOF\ntouch ${probe}/x\n: '` },
      stdout: 'stdout', stderr: 'stderr', stdin: null, pidfile: 'pid', exitfile: 'exitcode', sudo: false,
    }));
    // The detached program has had its time to run.
    spawnSync('sleep', ['0.5']);
    expect(existsSync(join(probe, 'x'))).toBe(false);
  });

  it('finding 12: a scan root with $(…) is a root that cannot be opened', () => {
    const probe = mkdtempSync(join(tmpdir(), 'slipway-injection-probe-'));
    dirs.push(probe);
    run(scanScript(`/nonexistent/…$(touch ${probe}/x)…`, 0));
    expect(existsSync(join(probe, 'x'))).toBe(false);
  });
});
