import { describe, expect, it } from 'vitest';
import type { NodeFacts, NodeStatus } from '../../../shared/contract/index.js';
import { filterNodes, matchesFilter, openInView, sortNodes, toggleAll } from './node-filter.js';
import { checkNodeForm, emptyNodeForm, formFieldOf, formValuesOf } from './node-form.js';
import { formatAgo, formatUptime, hostKeyFile, knownHostsName, passphraseKeptIn, percentOf, usageOf } from './node-format.js';

const GiB = 1024 ** 3;
const node = (name: string, state: NodeStatus['state'], labels: string[] = [], host = '10.0.1.11'): NodeStatus => ({
  spec: { name, host, port: 22, user: 'root', identity: null, jump: null, labels },
  state, lastSeen: null, latencyMs: null, facts: null, errors: [],
});

describe('node filter', () => {
  const nodes = [node('rack1-n10', 'reachable', ['rack=1']), node('rack1-n9', 'unreachable', ['rack=1'], '10.0.3.7'), node('rack3-g01', 'host-key-unknown', ['rack=3', 'gpu'])];

  it('sorts names naturally', () => {
    expect(sortNodes(nodes).map((n) => n.spec.name)).toEqual(['rack1-n9', 'rack1-n10', 'rack3-g01']);
  });

  it('matches name, host, labels and the start of the state; every word must match', () => {
    const names = (filter: string) => filterNodes(nodes, filter).map((n) => n.spec.name);
    expect(names('')).toHaveLength(3);
    expect(names('gpu')).toEqual(['rack3-g01']);
    expect(names('10.0.3.7')).toEqual(['rack1-n9']);
    expect(names('reachable')).toEqual(['rack1-n10']);
    expect(names('unreach')).toEqual(['rack1-n9']);
    expect(names('host-key')).toEqual(['rack3-g01']);
    expect(names('RACK=1 unreachable')).toEqual(['rack1-n9']);
    expect(matchesFilter(nodes[0]!, 'rack1 gpu')).toBe(false);
  });

  it('keeps the open node only while the filter shows its row', () => {
    const statuses = Object.fromEntries(nodes.map((n) => [n.spec.name, n]));
    expect(openInView(statuses, 'rack3-g01', '')).toBe('rack3-g01');
    expect(openInView(statuses, 'rack3-g01', 'gpu')).toBe('rack3-g01');
    expect(openInView(statuses, 'rack3-g01', 'rack=1')).toBeNull();
    expect(openInView(statuses, 'rack1-n9', 'unreach')).toBe('rack1-n9');
    expect(openInView(statuses, null, 'gpu')).toBeNull();
    // A node not listed yet (a link before the list arrives) is the inventory's to judge, not the filter's.
    expect(openInView(statuses, 'elsewhere', 'gpu')).toBe('elsewhere');
  });

  it('select-all selects the rows in view, or clears them when all were', () => {
    expect(toggleAll(['x'], ['a', 'b'])).toEqual(['x', 'a', 'b']);
    expect(toggleAll(['x', 'a'], ['a', 'b'])).toEqual(['x', 'a', 'b']);
    expect(toggleAll(['x', 'a', 'b'], ['a', 'b'])).toEqual(['x']);
    expect(toggleAll([], [])).toEqual([]);
  });
});

describe('node formatting', () => {
  const now = Date.parse('2025-01-14T12:00:00.000Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it.each([
    [null, 'never'],
    [ago(2_000), 'just now'],
    [ago(12_000), '12 s ago'],
    [ago(4 * 60_000 + 5_000), '4 min ago'],
    [ago(133 * 60_000), '2 h 13 min ago'],
    [ago(3 * 3_600_000), '3 h ago'],
    [ago(6 * 86_400_000), '6 d ago'],
  ])('last seen %s reads %s', (iso, text) => expect(formatAgo(iso, now)).toBe(text));

  it('formats uptime like uptime does, roughly', () => {
    expect(formatUptime(200)).toBe('3 min');
    expect(formatUptime(5 * 3600 + 7 * 60)).toBe('5 h 07 min');
    expect(formatUptime(12 * 86_400 + 4 * 3600 + 59)).toBe('12 d 4 h');
  });

  it('turns facts into bar widths and tones', () => {
    const facts: NodeFacts = {
      hostname: 'n', osRelease: 'Debian', kernel: '6.1', cpus: 16, uptimeSeconds: 1, load: [4, 3, 2],
      memTotalBytes: 64 * GiB, memAvailableBytes: 12 * GiB, rootDiskTotalBytes: 100 * GiB, rootDiskUsedBytes: 93 * GiB,
    };
    expect(usageOf(facts)).toEqual({
      load: { percent: 25, tone: 'ok', text: '4.00' },
      memory: { percent: 81, tone: 'warn', text: '81%' },
      disk: { percent: 93, tone: 'bad', text: '93%' },
    });
    expect(usageOf({ ...facts, load: [40, 30, 20] }).load).toEqual({ percent: 100, tone: 'bad', text: '40.00' });
    expect(percentOf(1, 0)).toBe(0);
  });

  it('names hosts as known_hosts does, and where a node keeps its host key', () => {
    expect(knownHostsName('10.0.9.2', 2222)).toBe('[10.0.9.2]:2222');
    expect(knownHostsName('10.0.1.1', 22)).toBe('10.0.1.1');
    expect(hostKeyFile('ssh-ed25519')).toBe('/etc/ssh/ssh_host_ed25519_key.pub');
    expect(hostKeyFile('ecdsa-sha2-nistp256')).toBe('/etc/ssh/ssh_host_ecdsa_key.pub');
  });

  it('tells where a passphrase is kept', () => {
    expect(passphraseKeptIn('session')).toBe('Slipway keeps it for this session only, in memory.');
    expect(passphraseKeptIn('os-keyring')).toBe('Slipway keeps it encrypted by your system keyring.');
  });
});

describe('node form', () => {
  const filled = { ...emptyNodeForm, name: 'rack1-n04', host: '10.0.1.14', labels: 'rack=1, gpu ,' };

  it('fills the contract’s defaults and splits labels', () => {
    expect(checkNodeForm(filled)).toEqual({ ok: true, spec: { name: 'rack1-n04', host: '10.0.1.14', port: 22, user: 'root', identity: null, jump: null, labels: ['rack=1', 'gpu'] } });
  });

  it('names each bad field with its first problem', () => {
    const check = checkNodeForm({ ...filled, name: 'bad name', port: '70000', identity: 'id_rsa', labels: 'ok, not ok' });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors).toEqual({
      name: expect.stringContaining('only letters'),
      port: 'must be a port number from 1 to 65535',
      identity: 'must be an absolute path',
      labels: '"not ok" must be a label such as rack=3 or gpu',
    });
    expect(checkNodeForm({ ...filled, port: '22x' })).toEqual({ ok: false, errors: { port: 'must be a port number from 1 to 65535' } });
  });

  it('takes a boot MAC and a netboot choice, and names a MAC that is not one', () => {
    expect(checkNodeForm({ ...filled, mac: '52-54-00-AB-CD-01', netboot: 'amd64/generic/bookworm/compute' })).toMatchObject({ ok: true, spec: { mac: '52:54:00:ab:cd:01', netboot: 'amd64/generic/bookworm/compute' } });
    expect(checkNodeForm({ ...filled, mac: '52:54:00:zz:cd:01', netboot: 'amd64/../etc/x' })).toEqual({
      ok: false,
      errors: { mac: 'must be a MAC address such as 52:54:00:12:34:56', netboot: 'must be arch/subarch/release/purpose, such as amd64/generic/bookworm/compute' },
    });
  });

  it('round-trips a spec, and maps backend fields onto the form', () => {
    const spec = { name: 'g', host: 'h', port: 2222, user: 'lab', identity: '/k', jump: 'gw', labels: ['a', 'b=c'] };
    expect(checkNodeForm(formValuesOf(spec))).toEqual({ ok: true, spec });
    expect(formFieldOf('node.port')).toBe('port');
    expect(formFieldOf('labels.1')).toBe('labels');
    expect(formFieldOf('previousName')).toBeNull();
    expect(formFieldOf(undefined)).toBeNull();
  });
});
