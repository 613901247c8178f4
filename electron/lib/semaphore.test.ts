import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('admits up to its limit and the rest in order; a double release counts once', async () => {
    const gate = new Semaphore(2);
    const order: number[] = [];
    const a = await gate.acquire();
    const b = await gate.acquire();
    const waiting = [3, 4].map((n) => gate.acquire().then((release) => (order.push(n), release)));
    expect(gate.inUse).toBe(2);
    a();
    a();
    const third = await waiting[0]!;
    expect(order).toEqual([3]);
    expect(gate.inUse).toBe(2);
    b();
    (await waiting[1]!)();
    third();
    expect(order).toEqual([3, 4]);
    expect(gate.inUse).toBe(0);
  });
});
