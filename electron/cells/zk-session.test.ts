import { describe, expect, it } from 'vitest';
import { CellReader } from './cell-reader.js';
import { freePort } from './test-support/zk-server.js';
import { pipelined } from './zk-session.js';
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
