import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './reconnect-delay.js';

describe('reconnectDelay', () => {
  it('grows exponentially within its jitter band and caps at 5 s', () => {
    expect(reconnectDelay(0, () => 0)).toBe(125);
    expect(reconnectDelay(0, () => 1)).toBe(250);
    expect(reconnectDelay(3, () => 1)).toBe(2_000);
    expect(reconnectDelay(30, () => 1)).toBe(5_000);
    expect(reconnectDelay(30, () => 0)).toBe(2_500);
  });
});
