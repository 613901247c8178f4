import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NetbootStatus } from '../../shared/contract/index.js';

const slipway = join(import.meta.dirname, '..', '..', 'bin', 'slipway.mjs');
const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-nb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `slipway boot` and `slipway netboot` as an operator types them wrong: usage errors (exit 2) name the flag, refusals (exit 1) say why. */
describe('slipway boot and netboot (built CLI), bad input', () => {
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'tftp'), { mode: 0o755 });
  const env = { ...process.env, NO_COLOR: '1', SLIPWAY_STATE_DIR: join(dir, 'state'), SLIPWAY_TFTP_ROOT: join(dir, 'tftp'), SLIPWAY_WORKSPACE: join(dir, 'work') };
  const run = (...args: string[]) => spawnSync(process.execPath, [slipway, ...args], { encoding: 'utf8', env, timeout: 60_000 });

  it('boot: an unknown build, a marker with a newline, a timeout that is no number', () => {
    const unknown = run('boot', '20990101-nope');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('slipway boot: buildId: no build 20990101-nope\n');
    expect(run('boot', 'x', '--marker', 'login:\nroot').stderr).toMatch(/--marker: must not contain control characters/);
    expect(run('boot', 'x', '--timeout', '5m').status).toBe(2);
    expect(run('boot').stderr).toMatch(/boot takes one build id/);
  });

  it('netboot: serve without an interface or with a bad one, arguments across lines, rollback of what was never kept', () => {
    const none = run('netboot', 'serve');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--interface: is required/);
    expect(run('netboot', 'serve', '--interface', 'eth0;reboot').stderr).toMatch(/--interface: must be a network interface name/);
    expect(run('netboot', 'serve', '--interface', 'br0', '--mode', 'dhcp').stderr).toMatch(/--dhcp-range: dhcp mode hands out addresses/);
    const missing = run('netboot', 'serve', '--interface', 'nosuch0');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^slipway netboot: interface: no interface nosuch0/);
    expect(run('netboot', 'args', 'compute', 'quiet\ninit=/bin/sh').stderr).toMatch(/kernel arguments: must be printable words/);
    const rollback = run('netboot', 'rollback', 'amd64/generic/bookworm/compute', 'compute-0123456789abcdef');
    expect(rollback.status).toBe(1);
    expect(rollback.stderr).toMatch(/compute keeps no version compute-0123456789abcdef/);
    const status = run('netboot', 'status', '--json');
    expect(status.status).toBe(1);
    expect(NetbootStatus.parse(JSON.parse(status.stdout)).services.map((s) => s.running)).toEqual([false, false]);
  });
});
