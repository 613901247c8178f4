import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig, macConfigName, renderNodeConfig, syncNodeConfigs, type BootSettings } from './pxe-config.js';
import { installBootLoader } from '../lib/tftp-tree/boot-loader.js';

const settings: BootSettings = { httpBase: 'http://10.0.0.1:8740', console: 'ttyS0,115200', extraArgs: (purpose) => (purpose === 'compute' ? 'quiet splash' : '') };
const config = { node: 'n1', mac: '52:54:00:AB:cd:01', releasePath: 'amd64/generic/bookworm', version: 'compute-0123456789abcdef', hasRoot: true };

describe('pxelinux configs', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'slipway-pxe-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names a node\u2019s config as pxelinux looks for it: 01- and the MAC in lower case with dashes', () => {
    expect(macConfigName('52:54:00:AB:cd:01')).toBe('01-52-54-00-ab-cd-01');
  });

  it('renders one label naming one version\u2019s kernel, initrd and root image, with the purpose\u2019s arguments', () => {
    const text = renderNodeConfig(config, 'compute', settings)!;
    const base = 'amd64/generic/bookworm/.versions/compute-0123456789abcdef';
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        'DEFAULT slipway',
        `  KERNEL ${base}/kernel`,
        `  INITRD ${base}/initrd`,
        `  APPEND boot=live fetch=http://10.0.0.1:8740/${base}/root.squashfs slipway.phone=http://10.0.0.1:8740/slipway/booted slipway.version=compute-0123456789abcdef console=ttyS0,115200 quiet splash`,
        '  IPAPPEND 2',
      ]),
    );
    // Without an HTTP address a root image cannot be fetched: no config rather than one that cannot boot.
    expect(renderNodeConfig(config, 'compute', { ...settings, httpBase: null })).toBeNull();
    // A kernel and initrd only (an installer) needs no HTTP server.
    expect(renderNodeConfig({ ...config, hasRoot: false }, 'rescue', { ...settings, httpBase: null })).toContain('APPEND slipway.version=compute-0123456789abcdef console=ttyS0,115200\n');
  });

  it('syncs: writes changed configs and the default, removes its own stale ones, never touches the operator\u2019s', () => {
    const dir = join(root, 'pxelinux.cfg');
    const first = syncNodeConfigs(root, new Map([['01-52-54-00-00-00-01', '# Slipway netboot config\nA\n'], ['01-52-54-00-00-00-02', '# Slipway netboot config\nB\n']]));
    expect(first.written.sort()).toEqual(['01-52-54-00-00-00-01', '01-52-54-00-00-00-02', 'default']);
    expect(readFileSync(join(dir, 'default'), 'utf8')).toBe(defaultConfig);
    writeFileSync(join(dir, '01-52-54-00-00-00-09'), 'DEFAULT hand-written\n');
    const second = syncNodeConfigs(root, new Map([['01-52-54-00-00-00-01', '# Slipway netboot config\nA2\n']]));
    expect(second).toEqual({ written: ['01-52-54-00-00-00-01'], removed: ['01-52-54-00-00-00-02'] });
    expect(readdirSync(dir).sort()).toEqual(['01-52-54-00-00-00-01', '01-52-54-00-00-00-09', 'default']);
    expect(syncNodeConfigs(root, new Map([['01-52-54-00-00-00-01', '# Slipway netboot config\nA2\n']]))).toEqual({ written: [], removed: [] });
    // An operator's own default stays.
    writeFileSync(join(dir, 'default'), 'DEFAULT menu\n');
    syncNodeConfigs(root, new Map());
    expect(readFileSync(join(dir, 'default'), 'utf8')).toBe('DEFAULT menu\n');
  });

  it('installs the boot loader, and says which package is missing', () => {
    writeFileSync(join(root, 'src.0'), 'pxelinux');
    installBootLoader(root, { 'pxelinux.0': join(root, 'src.0') });
    expect(readFileSync(join(root, 'pxelinux.0'), 'utf8')).toBe('pxelinux');
    expect(() => installBootLoader(root, { 'ldlinux.c32': '/nonexistent/ldlinux.c32' })).toThrow(/install Debian's pxelinux and syslinux-common/);
  });
});
