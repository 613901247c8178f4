import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CellReader } from './cell-reader.js';
import { freePort } from './test-support/zk-server.js';
import { pipelined, ZkSession } from './zk-session.js';
import { parseZkUrl } from './zk-url.js';

describe('pipelined requests', () => {
  it('keeps up to inFlight calls pending at once, never more, and keeps the results in order', async () => {
    let pending = 0;
    let peak = 0;
    const results = await pipelined([...Array(50).keys()], 8, async (item) => {
      pending += 1;
      peak = Math.max(peak, pending);
      await new Promise((resolve) => setTimeout(resolve, 1 + (item % 3)));
      pending -= 1;
      return item * 2;
    });
    expect(peak).toBe(8);
    expect(results).toEqual([...Array(50).keys()].map((item) => item * 2));
  });
});

describe('a cell whose ZooKeeper does not answer', () => {
  it('is shown unreachable with the error, and still tried', async () => {
    const port = await freePort();
    const reader = new CellReader('down', parseZkUrl(`zookeeper://127.0.50.1:${port}/cell`), { connectTimeoutMs: 300 });
    try {
      reader.start();
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(reader.connectionState()).toMatchObject({ state: 'unreachable', lastGoodRead: null, error: `no ZooKeeper session with 127.0.50.1:${port} after 300 ms; still trying` });
    } finally {
      reader.close();
    }
    await expect(reader.ready()).rejects.toThrow(/closed before its first snapshot/);
  });
});

describe('a ZooKeeper that keeps refusing', () => {
  it('is retried with backoff: the waits between rounds grow, not one try every half second', async () => {
    // A server that accepts and hangs up at once: each try is a failed round (the library's own wait is 0-500 ms).
    const tries: number[] = [];
    const server = createServer((socket) => {
      tries.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.50.1', resolve));
    const { port } = server.address() as { port: number };
    const session = new ZkSession(parseZkUrl(`zookeeper://127.0.50.1:${port}/cell`), { onState: () => undefined });
    try {
      session.start();
      await new Promise((resolve) => setTimeout(resolve, 6000));
    } finally {
      session.close();
      server.close();
    }
    // Without backoff: ~24 tries in 6 s (a random wait up to 500 ms each); with it (1, 2, 4, 5 s caps, random within): far fewer.
    expect(tries.length).toBeGreaterThan(1);
    expect(tries.length).toBeLessThan(14);
  }, 15_000);
});
