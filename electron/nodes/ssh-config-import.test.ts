import { describe, expect, it } from 'vitest';
import { importSshConfig } from './ssh-config-import.js';

const config = `
# lab
Host bastion
  HostName 192.0.2.10
  User ops

Host web1 web2
  User deploy
  Port 2222
  IdentityFile ~/.ssh/lab_ed25519
  ProxyJump bastion

Host db-*
  User postgres

Host db-1
  HostName db1.lab.example

Host *
  User fallback
  IdentityFile ~/.ssh/id_default
  ServerAliveInterval 30
`;

describe('importSshConfig', () => {
  it('turns every concrete Host into a node, with settings as ssh computes them (first match wins)', () => {
    const { nodes, skipped } = importSshConfig(config, '/home/op', 'op');
    expect(skipped).toEqual([]);
    expect(nodes.map((n) => n.name)).toEqual(['bastion', 'web1', 'web2', 'db-1']);
    expect(nodes[0]).toMatchObject({ host: '192.0.2.10', user: 'ops', port: 22, identity: '/home/op/.ssh/id_default', jump: null });
    expect(nodes[1]).toMatchObject({ host: 'web1', user: 'deploy', port: 2222, identity: '/home/op/.ssh/lab_ed25519', jump: 'bastion' });
    expect(nodes[3]).toMatchObject({ host: 'db1.lab.example', user: 'postgres' });
    expect(nodes.every((n) => n.labels.includes('imported'))).toBe(true);
  });

  it('falls back to the local user and port 22 when nothing says otherwise', () => {
    const { nodes } = importSshConfig('Host lonely\n', '/home/op', 'op');
    expect(nodes).toEqual([{ name: 'lonely', host: 'lonely', port: 22, user: 'op', identity: null, jump: null, labels: ['imported'] }]);
  });

  it('skips entries that cannot be nodes, saying why, and ignores ProxyJump none', () => {
    const { nodes, skipped } = importSshConfig('Host bad\n  Port 99999\nHost ok\n  ProxyJump none\n', '/home/op', 'op');
    expect(nodes.map((n) => [n.name, n.jump])).toEqual([['ok', null]]);
    expect(skipped[0]).toMatchObject({ host: 'bad' });
    expect(skipped[0]!.reason).toMatch(/port/);
  });
});
