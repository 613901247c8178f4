import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../../shared/builds/spec-text.js';
import { specHash } from './spec-hash.js';

describe('specHash', () => {
  it('is a sha256 in hex', () => {
    expect(specHash({ name: 'lab' })).toMatch(/^[0-9a-f]{64}$/);
    // sha256 of the canonical JSON {"a":1}
    expect(specHash({ a: 1 })).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  });

  it('does not depend on key order, at any depth', () => {
    const a = { name: 'lab', suite: 'bookworm', output: { dir: '/srv', container: 'gzip' }, images: [{ name: 'root', size: 1, mountPoint: '/' }] };
    const b = { images: [{ mountPoint: '/', size: 1, name: 'root' }], output: { container: 'gzip', dir: '/srv' }, suite: 'bookworm', name: 'lab' };
    expect(specHash(a)).toBe(specHash(b));
  });

  it('depends on array order', () => {
    expect(specHash({ packages: ['curl', 'less'] })).not.toBe(specHash({ packages: ['less', 'curl'] }));
    expect(specHash({ images: [{ name: 'a' }, { name: 'b' }] })).not.toBe(specHash({ images: [{ name: 'b' }, { name: 'a' }] }));
  });

  it('changes with any value', () => {
    const base = { name: 'lab', packages: ['curl'], images: [{ size: 1 }] };
    const hash = specHash(base);
    expect(specHash({ ...base, name: 'lab2' })).not.toBe(hash);
    expect(specHash({ ...base, packages: ['curl', 'less'] })).not.toBe(hash);
    expect(specHash({ ...base, images: [{ size: 2 }] })).not.toBe(hash);
    expect(specHash({ ...base, images: [{ size: '1' }] })).not.toBe(hash);
  });

  it('hashes scalars and null too', () => {
    expect(specHash('http://deb.debian.org/debian')).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash(null)).not.toBe(specHash('null'));
  });

  it('gives the same hash for the same spec written in another YAML style', () => {
    const block = parseSpecText('name: lab\nsuite: bookworm\nmirror: http://deb.debian.org/debian\nimages:\n  - name: root\n    size: 1G\n    mountPoint: /\noutput:\n  dir: /srv/images\n');
    const flow = parseSpecText('{output: {dir: /srv/images}, images: [{mountPoint: /, size: 1073741824, name: root}], mirror: "http://deb.debian.org/debian", suite: bookworm, name: lab}');
    expect(block.ok && flow.ok).toBe(true);
    if (!block.ok || !flow.ok) return;
    expect(specHash(block.spec)).toBe(specHash(flow.spec));
  });
});
