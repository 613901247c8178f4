import { describe, expect, it } from 'vitest';
import { diffManifests } from './manifest-diff.js';

const pkg = (name: string, version: string, arch = 'amd64') => ({ name, version, arch });

describe('manifest diff', () => {
  it('lists added, removed and version-changed packages by name, and counts the rest', () => {
    const before = [pkg('libc6', '2.36-9'), pkg('less', '590-2'), pkg('zlib1g', '1:1.2.13'), pkg('libc6', '2.36-9', 'i386')];
    const after = [pkg('zlib1g', '1:1.2.13'), pkg('libc6', '2.36-9+deb12u7'), pkg('hello', '2.10-3'), pkg('curl', '7.88.1'), pkg('libc6', '2.36-9', 'i386')];
    expect(diffManifests('a', 'b', before, after)).toEqual({
      from: 'a',
      to: 'b',
      added: [pkg('curl', '7.88.1'), pkg('hello', '2.10-3')],
      removed: [pkg('less', '590-2')],
      changed: [{ name: 'libc6', arch: 'amd64', from: '2.36-9', to: '2.36-9+deb12u7' }],
      unchanged: 2,
    });
    expect(diffManifests('a', 'a', before, before)).toMatchObject({ added: [], removed: [], changed: [], unchanged: 4 });
  });
});
