import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { healthCommand, parseHealth } from './health-probe.js';

describe('health probe', () => {
  it('reads this machine through the same sh script a node runs', () => {
    const facts = parseHealth(execFileSync('sh', ['-c', healthCommand], { encoding: 'utf8' }));
    expect(facts.hostname).toBe(execFileSync('hostname', { encoding: 'utf8' }).trim());
    expect(facts.kernel).toBe(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.memTotalBytes).toBeGreaterThan(facts.memAvailableBytes);
    expect(facts.rootDiskTotalBytes).toBeGreaterThan(facts.rootDiskUsedBytes);
    expect(facts.load).toHaveLength(3);
  });

  it('refuses output that is cut short or garbled', () => {
    expect(() => parseHealth('host\n--slipway--\nDebian\n')).toThrow(/sections/);
    const good = execFileSync('sh', ['-c', healthCommand], { encoding: 'utf8' });
    expect(() => parseHealth(good.replace(/MemTotal/, 'MemTotl'))).toThrow(/MemTotal/);
  });
});
