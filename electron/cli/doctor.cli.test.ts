import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellLookup } from '../../e2e/support/host-lookup.js';
import { ReadinessReport } from '../../shared/contract/index.js';

const slipway = join(import.meta.dirname, '..', '..', 'bin', 'slipway.mjs');

describe('slipway doctor (built CLI, this host)', () => {
  it('lists this machine’s tools truthfully as JSON and sets its exit code by readiness', () => {
    const run = spawnSync(process.execPath, [slipway, 'doctor', '--json'], { encoding: 'utf8' });
    const report = ReadinessReport.parse(JSON.parse(run.stdout));
    expect(run.status).toBe(report.ready ? 0 : 1);
    for (const tool of report.tools) {
      const expected = shellLookup(tool.name);
      expect(tool.found, tool.name).toBe(expected !== null);
      if (expected && tool.path) expect(existsSync(tool.path)).toBe(true);
    }
    const losetup = report.tools.find((t) => t.name === 'losetup');
    if (losetup?.found) {
      const own = execFileSync(losetup.path!, ['--version'], { encoding: 'utf8' });
      expect(own).toContain(losetup.version!);
    }
    expect(report.privileges.uid).toBe(process.getuid!());
  });

  it('prints a readable table when not asked for JSON', () => {
    const run = spawnSync(process.execPath, [slipway, 'doctor'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.stdout).toMatch(/^Host readiness on /);
    expect(run.stdout).toMatch(/\n {2}losetup +(found|MISSING)/);
    expect(run.stdout).toMatch(/ready: (yes|no)\n$/);
  });

  it('exits 2 with usage on an unknown command', () => {
    const run = spawnSync(process.execPath, [slipway, 'frobnicate'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
