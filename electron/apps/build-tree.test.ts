import { describe, expect, it } from 'vitest';
import { AppDefinition } from '../../shared/contract/apps.js';
import { matchBadHost } from './bad-hosts.js';
import { buildKey, groupBy, spreadTree } from './build-tree.js';

describe('build once, spread along a tree', () => {
  it('gives every node one sender and no sender more than two', () => {
    const edges = spreadTree('n1', ['n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
    expect(edges).toEqual([
      { from: 'n1', to: 'n2' }, { from: 'n1', to: 'n3' },
      { from: 'n2', to: 'n4' }, { from: 'n2', to: 'n5' },
      { from: 'n3', to: 'n6' }, { from: 'n3', to: 'n7' },
    ]);
    const sent = groupBy(spreadTree('a', Array.from({ length: 19 }, (_, i) => `r${i}`)), (e) => e.from);
    expect(Math.max(...[...sent.values()].map((edges) => edges.length))).toBe(2);
    expect(spreadTree('a', [])).toEqual([]);
  });

  it('groups by build inputs and platform', () => {
    const app = AppDefinition.parse({ name: 'a', run: 'x', build: 'make' });
    expect(buildKey(app, 'd1', 'x86_64 debian 12')).toBe(buildKey(app, 'd1', 'x86_64 debian 12'));
    expect(buildKey(app, 'd1', 'x86_64 debian 12')).not.toBe(buildKey(app, 'd1', 'aarch64 debian 12'));
    expect(buildKey(app, 'd1', 'x86_64 debian 12')).not.toBe(buildKey({ ...app, build: 'make all' }, 'd1', 'x86_64 debian 12'));
  });

  it('recognises a broken node by its error output', () => {
    expect(matchBadHost('Reading package lists...\nW: GPG error: http://deb.debian.org/debian bookworm InRelease: NO_PUBKEY 0E98404D386FA1D9\n')).toMatchObject({ line: expect.stringContaining('NO_PUBKEY') });
    expect(matchBadHost('cc: error: /home/x/a.c: Input/output error')?.line).toContain('Input/output error');
    expect(matchBadHost('a.c:3: error: expected ; before }')).toBeNull();
    expect(matchBadHost('custom failure', ['custom'])).toEqual({ line: 'custom failure', pattern: 'custom' });
  });
});
