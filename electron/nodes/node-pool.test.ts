import { afterEach, describe, expect, it } from 'vitest';
import { NodeSpec } from '../../shared/contract/index.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { NodePool } from './node-pool.js';
import { SshError, type ConnectOptions, type ExecChannel, type SshConnection } from './ssh-connection.js';
import { localShellChannel } from './test-support/local-shell.js';

const node = (name: string) => NodeSpec.parse({ name, host: `${name}.lab`, port: 22 });
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A connect() stand-in: counts connections and channels; each channel is a
 * real local `sh` (the resident shell's), after `login` (the node's rc files).
 */
function fakeNetwork(options: { failing?: Set<string>; connectMs?: number; login?: string } = {}) {
  const stats = { connects: 0, connecting: 0, maxConnecting: 0, channels: 0, maxChannels: 0, opened: 0 };
  const open: ExecChannel[] = [];
  const connectImpl = async (o: ConnectOptions): Promise<SshConnection> => {
    stats.connects += 1;
    stats.connecting += 1;
    stats.maxConnecting = Math.max(stats.maxConnecting, stats.connecting);
    await tick(options.connectMs ?? 5);
    stats.connecting -= 1;
    if (options.failing?.has(o.node.name)) throw new SshError('unreachable', `connect ECONNREFUSED ${o.node.host}:22`);
    return {
      closed: new Promise(() => undefined),
      close: () => undefined,
      upload: async () => undefined,
      download: async () => undefined,
      forward: async () => {
        throw new Error('no forwarding in the fake network');
      },
      openPty: async () => {
        throw new Error('no terminals in the fake network');
      },
      openFile: async () => {
        throw new Error('no files in the fake network');
      },
      openSftp: async () => {
        throw new Error('no SFTP in the fake network');
      },
      exec: async () => {
        throw new Error('the pool runs commands in resident shells, not one exec each');
      },
      async openChannel(command) {
        stats.opened += 1;
        stats.channels += 1;
        stats.maxChannels = Math.max(stats.maxChannels, stats.channels);
        // The node's name in its environment: answers say which node ran them.
        const channel = localShellChannel(command, `export NODE=${o.node.name}; ${options.login ?? ''}`);
        channel.onClose(() => (stats.channels -= 1));
        open.push(channel);
        return channel;
      },
    };
  };
  return { stats, connectImpl, closeAll: () => open.forEach((c) => c.close()) };
}

const made: { pool: NodePool; net: ReturnType<typeof fakeNetwork> }[] = [];
const pool = (net: ReturnType<typeof fakeNetwork>, extra: Partial<ConstructorParameters<typeof NodePool>[0]> = {}) => {
  const p = new NodePool({ connection: { trust: new KnownHostsStore(null, '/nonexistent'), askHostKey: async () => false }, connectImpl: net.connectImpl, ...extra });
  made.push({ pool: p, net });
  return p;
};

afterEach(async () => {
  for (const { pool: p, net } of made.splice(0)) {
    await p.close();
    net.closeAll();
  }
});

describe('NodePool', () => {
  it('makes one connection per node and reuses it', async () => {
    const net = fakeNetwork();
    const p = pool(net);
    const results = await Promise.all([1, 2, 3, 4].map((i) => p.exec(node('a'), `echo $NODE ${i}`)));
    await p.exec(node('a'), 'true');
    expect(results.map((r) => r.stdout)).toEqual(['a 1\n', 'a 2\n', 'a 3\n', 'a 4\n']);
    expect(net.stats.connects).toBe(1);
  });

  it('keeps channels per connection under the limit, queueing the rest', async () => {
    const net = fakeNetwork();
    const p = pool(net, { maxChannels: 3, maxShells: 8 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => p.exec(node('a'), `sleep 0.05; echo ${i}`)));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => `${i}\n`));
    // Shells take all channels but one, which stays for SFTP transfers.
    expect(net.stats.maxChannels).toBe(2);
  });

  it('sets up at most maxConnecting connections at once', async () => {
    const net = fakeNetwork({ connectMs: 20 });
    const p = pool(net, { maxConnecting: 4 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => p.exec(node(`n${i}`), 'true')));
    expect(net.stats.connects).toBe(20);
    expect(net.stats.maxConnecting).toBe(4);
  });

  it('answers from its backoff for a failing node, then tries again', async () => {
    const net = fakeNetwork({ failing: new Set(['dead']) });
    const p = pool(net, { backoffBaseMs: 60, random: () => 1 });
    await expect(p.exec(node('dead'), 'true')).rejects.toMatchObject({ kind: 'unreachable' });
    await expect(p.exec(node('dead'), 'true')).rejects.toMatchObject({ kind: 'unreachable' });
    expect(net.stats.connects).toBe(1);
    expect(p.state('dead')).toMatchObject({ failures: 1, connected: false });
    await tick(80);
    await expect(p.exec(node('dead'), 'true')).rejects.toThrow();
    expect(net.stats.connects).toBe(2);
    // Doubled: the next retry waits longer.
    expect(p.state('dead').retryInMs).toBeGreaterThan(60);
  });

  it('times a command out on its own limit while others go on', async () => {
    const net = fakeNetwork();
    const p = pool(net);
    const slow = p.exec(node('slow'), 'sleep 5', { timeoutMs: 300 });
    const quick = p.exec(node('slow'), 'echo quick', { timeoutMs: 5_000 });
    await expect(slow).rejects.toMatchObject({ kind: 'timeout' });
    expect((await quick).stdout).toBe('quick\n');
    // The timed-out shell is closed, not handed to the next command.
    expect(await p.exec(node('slow'), 'echo next')).toMatchObject({ code: 0, stdout: 'next\n' });
  });

  it('pays the login shell once per resident shell, not once per command', async () => {
    const net = fakeNetwork({ login: 'sleep 0.3' });
    const p = pool(net);
    const started = Date.now();
    for (let i = 0; i < 10; i++) expect((await p.exec(node('a'), `echo ${i}`)).stdout).toBe(`${i}\n`);
    // Ten commands in sequence on a node whose rc files take 0.3 s: one login, not ten (3 s).
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(p.stats('a')).toEqual({ loginShells: 1, commands: 10 });
    expect(net.stats.opened).toBe(1);
  });

  it('opens more shells only for commands at the same time, up to maxShells, and closes idle ones', async () => {
    const net = fakeNetwork();
    const p = pool(net, { maxShells: 2, shellIdleMs: 100 });
    await Promise.all([1, 2, 3, 4].map(() => p.exec(node('a'), 'sleep 0.05')));
    expect(p.stats('a').loginShells).toBe(2);
    await tick(300);
    expect(net.stats.channels).toBe(0);
    await p.exec(node('a'), 'true');
    expect(p.stats('a').loginShells).toBe(3);
  });

  it('a command whose deadline passed while it waited for a shell never runs', async () => {
    const net = fakeNetwork();
    const p = pool(net, { maxShells: 1 });
    const busy = p.exec(node('a'), 'sleep 0.4');
    const late = p.exec(node('a'), 'echo ran > /dev/null; exit 0', { timeoutMs: 100 });
    await expect(late).rejects.toMatchObject({ kind: 'timeout' });
    await busy;
    await tick(50);
    expect(p.stats('a').commands).toBe(1);
  });

  it('a changed node spec gets a fresh connection', async () => {
    const net = fakeNetwork();
    const p = pool(net);
    await p.exec(node('a'), 'true');
    await p.exec(NodeSpec.parse({ name: 'a', host: 'a.lab', port: 2222 }), 'true');
    expect(net.stats.connects).toBe(2);
  });
});
