import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellLookup } from '../../e2e/support/host-lookup.js';
import { parseRemoteProbe, remoteProbeScript } from './remote-probe.js';
import { toolCatalog, type ToolSpec } from './tool-catalog.js';

/** The probe script as a node's sh runs it, here on this host. */
function runHere(tools: readonly ToolSpec[]): string {
  return execFileSync('sh', ['-c', remoteProbeScript(tools)], { encoding: 'utf8', timeout: 60_000 });
}

describe('remote readiness probe (the script run by this host’s sh)', () => {
  it('finds the same tools where the shell finds them, with the version the tool prints', () => {
    const probe = parseRemoteProbe(runHere(toolCatalog), toolCatalog);
    expect(probe.tools.map((t) => t.name)).toEqual(toolCatalog.map((t) => t.name));
    for (const tool of probe.tools) {
      expect(tool.found, tool.name).toBe(shellLookup(tool.name) !== null);
      if (tool.found) expect(tool.path, tool.name).toBe(shellLookup(tool.name));
    }
    const losetup = probe.tools.find((t) => t.name === 'losetup');
    if (losetup?.found) expect(execFileSync(losetup.path!, ['--version'], { encoding: 'utf8' })).toContain(losetup.version!);
    expect(probe.hostname).toBe(execFileSync('hostname', { encoding: 'utf8' }).trim());
    expect(probe.privileges.uid).toBe(process.getuid!());
    const sudoOk = process.getuid!() !== 0 && spawnSync('sudo', ['-n', 'true']).status === 0;
    expect(probe.privileges.canBuild).toBe(process.getuid!() === 0 || sudoOk);
  });

  it('reports a tool that is not there as missing, with its package, and no version', () => {
    const ghost: ToolSpec = { name: 'slipway-no-such-tool', debianPackage: 'ghost-pkg', required: true, neededBy: ['builds'], purpose: 'test', versionArgs: ['--version'] };
    const [tool] = parseRemoteProbe(runHere([ghost]), [ghost]).tools;
    expect(tool).toMatchObject({ name: ghost.name, found: false, path: null, version: null, debianPackage: 'ghost-pkg' });
  });

  it('carries tool names and arguments as data: quotes and $(…) in them run nothing', () => {
    const hostile: ToolSpec = { name: "x'; touch /tmp/slipway-pwned-$$; '", debianPackage: '$(touch /tmp/slipway-pwned)', required: false, neededBy: [], purpose: 'test', versionArgs: ['`id`'] };
    const output = runHere([hostile]);
    expect(parseRemoteProbe(output, [hostile]).tools[0]?.found).toBe(false);
    expect(spawnSync('sh', ['-c', 'ls /tmp/slipway-pwned* 2>/dev/null']).stdout.toString()).toBe('');
  });

  it('a tool whose output looks like a record cannot change the facts', () => {
    const output = ['@host h', '@uid 1000', '@user op', '@sudo password', '@tool losetup /sbin/losetup', '|@uid 0', '|@sudo root', '|losetup from util-linux 2.38.1', '@pkg 2.38.1-5', '@end'].join('\n');
    const probe = parseRemoteProbe(output, toolCatalog.filter((t) => t.name === 'losetup'));
    expect(probe.privileges).toMatchObject({ uid: 1000, elevation: 'none', canBuild: false });
    expect(probe.tools[0]).toMatchObject({ found: true, path: '/sbin/losetup', version: '2.38.1' });
  });

  it('says what to do on a node without root: log in as root or allow passwordless sudo', () => {
    for (const sudo of ['password', 'absent']) {
      const probe = parseRemoteProbe(['@host h', '@uid 1000', '@user op', `@sudo ${sudo}`, '@end'].join('\n'), []);
      expect(probe.privileges.canBuild).toBe(false);
      expect(probe.privileges.detail).toMatch(/refused/);
      expect(probe.privileges.detail).toContain('op ALL=(ALL) NOPASSWD: ALL');
      expect(probe.privileges.detail).toContain('user: root');
    }
  });

  it('refuses output cut short (no end record) rather than report tools missing', () => {
    expect(() => parseRemoteProbe(['@host h', '@uid 0', '@user root', '@sudo root', '@tool losetup /sbin/losetup'].join('\n'), toolCatalog)).toThrow(/ended before it finished/);
  });
});
