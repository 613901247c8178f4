import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSpec } from '../../shared/contract/index.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { NodePool } from './node-pool.js';
import { connect } from './ssh-connection.js';
import { startFleet, type Fleet } from './test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');
const slowLogin = 0.5;

/** Commands on a node whose login shell takes half a second (a lab node's rc files), as the pool runs them. */
describe.runIf(canRun)('commands on a node with a slow login shell (root, real sshd)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-slow-login-'));
  let fleet: Fleet;
  let spec: NodeSpec;
  let privateKey: Buffer;
  const trust = () => new KnownHostsStore(null, join(dir, 'known_hosts'));

  beforeAll(async () => {
    // sshd reads the keys as the test user: it must get through.
    chmodSync(dir, 0o755);
    fleet = await startFleet({ count: 1, dir: join(dir, 'fleet'), firstOctet: 168, port: 2281, user: 'slipway-test', slowLogin });
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    privateKey = readFileSync(fleet.clientKey);
    const [node] = fleet.nodes;
    spec = NodeSpec.parse({ name: node!.name, host: node!.host, port: node!.port, user: fleet.user, identity: fleet.clientKey });
  });
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the test node really is slow: every exec pays its login shell', async () => {
    const node = fleet.nodes[0]!;
    const started = Date.now();
    execFileSync('ssh', ['-i', fleet.clientKey, '-p', String(node.port), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, `${fleet.user}@${node.host}`, 'true']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(slowLogin * 1000);
    const conn = await connect({ node: spec, trust: trust(), loadKey: async () => ({ privateKey }), askHostKey: async () => false });
    try {
      const timed = async () => {
        const at = Date.now();
        expect(await conn.exec('echo ran')).toMatchObject({ code: 0, stdout: 'ran\n' });
        return Date.now() - at;
      };
      for (let i = 0; i < 3; i++) expect(await timed()).toBeGreaterThanOrEqual(slowLogin * 1000);
    } finally {
      conn.close();
    }
  });

  it('the pool pays it once: ten commands in sequence cost one login shell', async () => {
    const pool = new NodePool({ connection: { trust: trust(), askHostKey: async () => false, credentialsFor: async () => ({ privateKey }) } });
    try {
      const first = Date.now();
      expect((await pool.exec(spec, 'id -un')).stdout).toBe(`${fleet.user}\n`);
      const firstMs = Date.now() - first;
      const rest = Date.now();
      for (let i = 0; i < 10; i++) expect(await pool.exec(spec, `echo ${i}; exit ${i}`)).toMatchObject({ code: i, stdout: `${i}\n` });
      const perCommandMs = (Date.now() - rest) / 10;
      console.log(`slow login ${slowLogin} s: first command ${firstMs} ms (connect + login shell), then ${perCommandMs.toFixed(1)} ms a command`);
      expect(firstMs).toBeGreaterThanOrEqual(slowLogin * 1000);
      // One login shell, not eleven: each later command is far below the login shell's cost.
      expect(perCommandMs).toBeLessThan((slowLogin * 1000) / 2);
      expect(pool.stats(spec.name)).toEqual({ loginShells: 1, commands: 11 });
      // Counted on the node too: the first test's five sessions, and this one.
      expect(fleet.sessions(spec.name)).toBe(5);
    } finally {
      await pool.close();
    }
  });
});
