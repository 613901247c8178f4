import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSpec } from '../../shared/contract/index.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { connect, SshError, type HostKeyQuestion } from './ssh-connection.js';
import { startFleet, type Fleet } from './test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

describe.runIf(canRun)('SSH connections to real sshd nodes (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-ssh-'));
  let fleet: Fleet;
  let privateKey: Buffer;
  const loadKey = async () => ({ privateKey });
  const ownKnownHosts = join(dir, 'slipway_known_hosts');
  const trust = new KnownHostsStore(null, ownKnownHosts);
  const nodeSpec = (i: number) => NodeSpec.parse({ name: fleet.nodes[i]!.name, host: fleet.nodes[i]!.host, port: fleet.nodes[i]!.port, user: 'root' });

  beforeAll(async () => {
    fleet = await startFleet({ count: 3, dir: join(dir, 'fleet'), firstOctet: 210, port: 2298 });
    privateKey = readFileSync(fleet.clientKey);
  });
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks about an unknown key with its SHA256 fingerprint, remembers the accepted key, then runs commands and SFTP', async () => {
    const asked: HostKeyQuestion[] = [];
    const conn = await connect({ node: nodeSpec(0), trust, loadKey, askHostKey: async (q) => (asked.push(q), true) });
    const hostKeyFile = join(dir, 'fleet', fleet.nodes[0]!.name, 'host_key.pub');
    const expected = execFileSync('ssh-keygen', ['-l', '-f', hostKeyFile], { encoding: 'utf8' }).split(' ')[1];
    expect(asked).toEqual([{ node: fleet.nodes[0]!.name, host: fleet.nodes[0]!.host, port: 2298, keyType: 'ssh-ed25519', fingerprint: expected }]);
    expect(readFileSync(ownKnownHosts, 'utf8')).toContain(`[${fleet.nodes[0]!.host}]:2298 ssh-ed25519 ${fleet.nodes[0]!.hostKey}`);

    const result = await conn.exec('echo $((6*7)); echo oops >&2; exit 3');
    expect(result).toEqual({ code: 3, signal: null, stdout: '42\n', stderr: 'oops\n' });

    const local = join(dir, 'payload.bin');
    const back = join(dir, 'payload.back');
    writeFileSync(local, randomBytes(1 << 20));
    let progress = 0;
    await conn.upload(local, `/tmp/slipway-sftp-${process.pid}.bin`, (done) => (progress = done));
    await conn.download(`/tmp/slipway-sftp-${process.pid}.bin`, back);
    await conn.exec(`rm -f /tmp/slipway-sftp-${process.pid}.bin`);
    expect(progress).toBe(1 << 20);
    expect(readFileSync(back).equals(readFileSync(local))).toBe(true);
    conn.close();
    await conn.closed;

    // Known now: no question the second time.
    const again = await connect({ node: nodeSpec(0), trust, loadKey, askHostKey: async () => { throw new Error('asked again'); } });
    again.close();
  });

  it('a rejected key never gets as far as authentication', async () => {
    await expect(connect({ node: nodeSpec(1), trust, loadKey, askHostKey: async () => false })).rejects.toMatchObject({ kind: 'host-key-rejected' });
    expect(readFileSync(ownKnownHosts, 'utf8')).not.toContain(fleet.nodes[1]!.host);
  });

  it('a changed key is refused without asking', async () => {
    const store = new KnownHostsStore(null, join(dir, 'changed_known_hosts'));
    store.accept(fleet.nodes[2]!.host, 2298, fleet.nodes[0]!.hostKey);
    let asked = false;
    const attempt = connect({ node: nodeSpec(2), trust: store, loadKey, askHostKey: async () => (asked = true) });
    await expect(attempt).rejects.toMatchObject({ kind: 'host-key-changed' });
    expect(asked).toBe(false);
  });

  it('a wrong client key is an authentication failure', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'stranger')]);
    const attempt = connect({ node: nodeSpec(0), trust, loadKey: async () => ({ privateKey: readFileSync(join(dir, 'stranger')) }), askHostKey: async () => true });
    await expect(attempt).rejects.toMatchObject({ kind: 'auth-failed' });
  });

  it('a stopped node is unreachable at once, and a silent one times out within its limit', async () => {
    await fleet.stopNode(fleet.nodes[1]!.name);
    await expect(connect({ node: nodeSpec(1), trust, loadKey, askHostKey: async () => true })).rejects.toMatchObject({ kind: 'unreachable' });
    await fleet.startNode(fleet.nodes[1]!.name);

    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const attempt = connect({ node: NodeSpec.parse({ name: 'silent', host: '127.0.0.1', port }), trust, loadKey, readyTimeoutMs: 1_500, askHostKey: async () => true });
    await expect(attempt).rejects.toBeInstanceOf(SshError);
    await expect(attempt).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_000);
    silent.close();
  });
});
