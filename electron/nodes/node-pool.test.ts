import { describe, expect, it } from 'vitest';
import { NodeSpec } from '../../shared/contract/index.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { NodePool } from './node-pool.js';
import { SshError, type ConnectOptions, type SshConnection } from './ssh-connection.js';

const node = (name: string) => NodeSpec.parse({ name, host: `${name}.lab`, port: 22 });
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connect() stand-in: counts connections and channels, each exec takes `execMs`. */
function fakeNetwork(options: { execMs?: number; failing?: Set<string>; connectMs?: number } = {}) {
  const stats = { connects: 0, connecting: 0, maxConnecting: 0, channels: 0, maxChannels: 0 };
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
      openFile: async () => {
        throw new Error('no files in the fake network');
      },
      async exec(command) {
        stats.channels += 1;
        stats.maxChannels = Math.max(stats.maxChannels, stats.channels);
        await tick(options.execMs ?? 5);
        stats.channels -= 1;
        return { code: 0, signal: null, stdout: `${o.node.name}: ${command}`, stderr: '' };
      },
    };
  };
  return { stats, connectImpl };
}

const pool = (net: ReturnType<typeof fakeNetwork>, extra: Partial<ConstructorParameters<typeof NodePool>[0]> = {}) =>
  new NodePool({ connection: { trust: new KnownHostsStore(null, '/nonexistent'), askHostKey: async () => false }, connectImpl: net.connectImpl, ...extra });

describe('NodePool', () => {
  it('makes one connection per node and reuses it', async () => {
    const net = fakeNetwork();
    const p = pool(net);
    const results = await Promise.all([1, 2, 3, 4].map((i) => p.exec(node('a'), `echo ${i}`)));
    await p.exec(node('a'), 'again');
    expect(results.map((r) => r.stdout)).toEqual(['a: echo 1', 'a: echo 2', 'a: echo 3', 'a: echo 4']);
    expect(net.stats.connects).toBe(1);
  });

  it('keeps channels per connection under the limit, queueing the rest', async () => {
    const net = fakeNetwork({ execMs: 20 });
    const p = pool(net, { maxChannels: 3 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => p.exec(node('a'), `job ${i}`)));
    expect(net.stats.maxChannels).toBe(3);
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
    const net = fakeNetwork({ execMs: 200 });
    const p = pool(net);
    const slow = p.exec(node('slow'), 'sleep', { timeoutMs: 30 });
    await expect(slow).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('a changed node spec gets a fresh connection', async () => {
    const net = fakeNetwork();
    const p = pool(net);
    await p.exec(node('a'), 'true');
    await p.exec(NodeSpec.parse({ name: 'a', host: 'a.lab', port: 2222 }), 'true');
    expect(net.stats.connects).toBe(2);
  });
});
