import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeSpec } from '../../shared/contract/index.js';
import { nodeBoots, readPins, syncConfigs } from './netboot-nodes.js';
import { publishNetboot } from '../lib/tftp-tree/tftp-publish.js';
import { listTftpTree } from '../lib/tftp-tree/tftp-tree.js';

const node = (name: string, mac: string | null, netboot: string | null): NodeSpec => ({ name, host: '10.0.0.9', port: 22, user: 'root', identity: null, jump: null, labels: [], mac, netboot });
const settings = { httpBase: 'http://10.0.0.1:8740', console: 'ttyS0,115200', extraArgs: () => '' };
const logs = (dir: string) => ({ dnsmasq: join(dir, 'none'), access: join(dir, 'none'), booted: join(dir, 'none') });

describe('netbooting nodes', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each node\u2019s config for its purpose\u2019s version, or the version it is held at while that is kept, and says why a node has none', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-nbnodes-'));
    const root = join(dir, 'tftp');
    const target = { root, arch: 'amd64', release: 'bookworm', purpose: 'compute' };
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    mkdirSync(root);
    const v1 = publishNetboot(target, file('k1', 'kernel 1'), file('i1', 'initrd 1')).version;
    const v2 = publishNetboot(target, file('k2', 'kernel 2'), file('i2', 'initrd 2')).version;
    const nodes = [node('a', '52:54:00:00:00:0a', 'amd64/generic/bookworm/compute'), node('b', '52:54:00:00:00:0b', 'amd64/generic/bookworm/compute'), node('c', '52:54:00:00:00:0c', 'amd64/generic/trixie/x'), node('d', null, null)];
    syncConfigs(root, nodes, listTftpTree(root), settings, { b: v1 });
    const config = (mac: string) => readFileSync(join(root, 'pxelinux.cfg', `01-${mac}`), 'utf8');
    expect(config('52-54-00-00-00-0a')).toContain(`.versions/${v2}/kernel`);
    expect(config('52-54-00-00-00-0b')).toContain(`.versions/${v1}/kernel`);
    const boots = nodeBoots(root, nodes, listTftpTree(root), settings, { b: v1 }, logs(dir));
    expect(boots.map((b) => [b.node, b.next, b.pinned, b.kept, b.problem])).toEqual([
      ['a', v2, null, [v1], null],
      ['b', v1, v1, [v2], null],
      ['c', null, null, [], 'nothing published for amd64/generic/trixie/x'],
    ]);
    // A pin to a version no longer kept (or never published) is let go: the node follows its purpose.
    syncConfigs(root, nodes, listTftpTree(root), settings, { b: 'compute-0000000000000000' });
    expect(config('52-54-00-00-00-0b')).toContain(`.versions/${v2}/kernel`);
  });

  it('keeps a pinned version past its grace period, and reads pins back only when they are versions', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-nbnodes-'));
    const root = join(dir, 'tftp');
    const target = { root, arch: 'amd64', release: 'bookworm', purpose: 'compute' };
    writeFileSync(join(dir, 'k'), 'k');
    writeFileSync(join(dir, 'i'), 'i');
    let now = 1_000_000;
    const v1 = publishNetboot(target, join(dir, 'k'), join(dir, 'i'), { now: () => now }).version;
    writeFileSync(join(dir, 'k'), 'k2');
    publishNetboot(target, join(dir, 'k'), join(dir, 'i'), { now: () => (now += 10), graceMs: 0 });
    writeFileSync(join(dir, 'k'), 'k3');
    const third = publishNetboot(target, join(dir, 'k'), join(dir, 'i'), { now: () => (now += 10), graceMs: 0, pinned: [v1] });
    expect(third.pruned).toHaveLength(1);
    expect(third.pruned).not.toContain(v1);
    writeFileSync(join(dir, 'pins.json'), JSON.stringify({ a: v1, b: '../../etc', c: 7 }));
    expect(readPins(join(dir, 'pins.json'))).toEqual({ a: v1 });
  });
});
