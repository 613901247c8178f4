import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NetbootCache } from './netboot-cache.js';

describe('netboot cache', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a whole kernel/initrd pair per image sum, and only the newest few', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-nbc-'));
    writeFileSync(join(dir, 'k'), 'kernel');
    writeFileSync(join(dir, 'i'), 'initrd');
    const cache = new NetbootCache(join(dir, 'cache'), 2);
    expect(cache.get('aa')).toBeNull();
    const stored = cache.put('aa', { kernel: join(dir, 'k'), initrd: join(dir, 'i'), kernelName: 'vmlinuz-6.1.0-27-amd64', diskless: null });
    expect(readFileSync(stored.kernel, 'utf8')).toBe('kernel');
    expect(cache.get('aa')?.kernelName).toBe('vmlinuz-6.1.0-27-amd64');
    utimesSync(join(dir, 'cache', 'aa'), new Date(1_000), new Date(1_000));
    cache.put('bb', { kernel: join(dir, 'k'), initrd: join(dir, 'i'), kernelName: 'b', diskless: null });
    cache.put('cc', { kernel: join(dir, 'k'), initrd: join(dir, 'i'), kernelName: 'c', diskless: null });
    expect(existsSync(join(dir, 'cache', 'aa'))).toBe(false);
    expect(cache.get('cc')?.kernelName).toBe('c');
  });

  it('keeps the root image with its sum, and what the image lacks to boot diskless', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-nbc-'));
    writeFileSync(join(dir, 'k'), 'kernel');
    writeFileSync(join(dir, 'i'), 'initrd');
    writeFileSync(join(dir, 'r'), 'hsqs root');
    const cache = new NetbootCache(join(dir, 'cache'));
    cache.put('dd', { kernel: join(dir, 'k'), initrd: join(dir, 'i'), kernelName: 'd', diskless: null, root: { path: join(dir, 'r'), sha256: 'ab12' } });
    const stored = cache.get('dd')!;
    expect(stored.root?.sha256).toBe('ab12');
    expect(readFileSync(stored.root!.path, 'utf8')).toBe('hsqs root');
    expect(stored.diskless).toBeNull();
    cache.put('ee', { kernel: join(dir, 'k'), initrd: join(dir, 'i'), kernelName: 'e', diskless: 'add live-boot' });
    expect(cache.get('ee')).toMatchObject({ diskless: 'add live-boot' });
    expect(cache.get('ee')?.root).toBeUndefined();
  });
});
