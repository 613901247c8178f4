import { describe, expect, it } from 'vitest';
import { maxDeltaRows, type ContainerRow } from '../../shared/contract/containers.js';
import { containerRow } from '../../renderer/src/test-support/container-fixtures.js';
import { createContainerFeed } from './container-feed.js';
import { applyListingOutput, applyRowDelta, diffRows, filePath, rowKey, rowMap } from './scan-delta.js';
import { deltaClient } from './test-support/delta-client.js';

describe('scan deltas', () => {
  it('rows: added, changed and removed by key; applied, the held rows are the scan’s', () => {
    const held = rowMap([containerRow('n1', 1), containerRow('n1', 2), containerRow('n1', 3, 'placed', { unique: null })]);
    const next: ContainerRow[] = [containerRow('n1', 1), containerRow('n1', 2, 'finished', { exitCode: 0 }), containerRow('n1', 3, 'configured'), containerRow('n1', 4)];
    const delta = diffRows(held, next);
    // The placed instance and its container later are two rows (no unique name, then one).
    expect(delta.added.map((r) => r.instance)).toEqual(['lab.train#0000000003', 'proid.web#0000000004']);
    expect(delta.changed.map((r) => [r.instance, r.state])).toEqual([['proid.web#0000000002', 'finished']]);
    expect(delta.removed).toEqual([{ instance: 'lab.train#0000000003', unique: null }]);
    applyRowDelta(held, delta);
    expect(new Map(next.map((r) => [rowKey(r), r]))).toEqual(held);
    // An unchanged row compares equal field by field, arrays and payloads included.
    expect(diffRows(held, next.map((r) => ({ ...r, services: [...r.services] })))).toEqual({ added: [], changed: [], removed: [] });
    expect(diffRows(held, next.map((r, i) => (i === 0 ? { ...r, abortedPayload: { why: 'x' } } : r))).changed).toHaveLength(1);
  });

  it('a node’s listing: a full answer replaces it, a delta changes its lines and files, and must fit the generation held', () => {
    const full = applyListingOutput(null, ['@now 5.0', '@state full 0 1', '+@app a-1 1.0', '+@file apps/a-1/data/app.json 1.0 10', 'apps/a-1/data/app.json:{"memory":"1G"}'].join('\n'));
    expect(full.mode).toBe('full');
    expect([...full.listing!.lines]).toEqual(['@app a-1 1.0', '@file apps/a-1/data/app.json 1.0 10']);
    expect(full.listing!.contents.get('apps/a-1/data/app.json')).toEqual(['{"memory":"1G"}']);
    expect(full.transient).toEqual(['@now 5.0']);
    const delta = applyListingOutput(full.listing, ['@state delta 1 2', '-@file apps/a-1/data/app.json 1.0 10', '-@app a-1 1.0', '+@app b-2 2.0', 'appevents/1,b#2,finished,0.0\0{"rc":0}'].join('\n'));
    expect([...delta.listing!.lines]).toEqual(['@app b-2 2.0']);
    expect(delta.listing!.contents.size).toBe(0);
    expect(delta.listing!.gen).toBe(2);
    // What was held is not changed: a delta makes a new listing.
    expect(full.listing!.lines.size).toBe(2);
    expect(() => applyListingOutput(full.listing, '@state delta 4 5\n+@app c 1')).toThrow('since scan 4, but scan 1 is held');
    expect(() => applyListingOutput(null, '+@app c 1')).toThrow('did not say');
    expect(applyListingOutput(full.listing, '@error cannot open /srv').listing).toBeNull();
    expect(filePath('@file apps/x y/data/app.json 1.5 30')).toBe('apps/x y/data/app.json');
    expect(filePath('@has apps/x/data/oom')).toBeNull();
  });

  it('the feed: a snapshot first, numbered deltas after, a snapshot again past maxDeltaRows, nothing after the client is gone', () => {
    const feed = createContainerFeed();
    const client = deltaClient();
    const meta = { node: 'n1', root: '/r', scannedAt: '2026-11-23T10:00:00.000Z', ms: 5, error: null, problems: [] };
    let rows = [containerRow('n1', 1), containerRow('n1', 2)];
    const held = rowMap(rows);
    feed.subscribe(client.context, null, () => ({ meta, rows: () => [...held.values()] }), ['n1']);
    expect(feed.followed()).toBe('all');
    const scanned = (next: ContainerRow[]) => {
      const delta = diffRows(held, next);
      applyRowDelta(held, delta);
      feed.scanned('n1', { meta, rows: () => [...held.values()] }, delta);
    };
    rows = [containerRow('n1', 1, 'finished'), containerRow('n1', 3)];
    scanned(rows);
    expect(client.received.map((d) => d.seq)).toEqual([1, 2]);
    expect(client.deltas()[0]).toMatchObject({ changed: [{ state: 'finished' }], added: [{ instance: 'lab.train#0000000003' }], removed: [{ instance: 'proid.web#0000000002' }] });
    expect(new Set(client.rows('n1'))).toEqual(new Set(rows));
    // Thousands changed: one snapshot, not a delta the client applies row by row.
    rows = Array.from({ length: maxDeltaRows + 5 }, (_, i) => containerRow('n1', i + 10));
    scanned(rows);
    expect(client.snapshots().map((s) => [s.seq, s.snapshot.rows.length])).toEqual([[1, 2], [3, maxDeltaRows + 5]]);
    expect(client.gaps).toEqual([]);
    // Another node's subscriber hears nothing of n1; a gone client nothing at all.
    const other = deltaClient('c2');
    feed.subscribe(other.context, ['n2'], () => null, ['n1', 'n2']);
    scanned([]);
    expect(other.received).toEqual([]);
    client.context.end();
    scanned(rows);
    expect(client.received.at(-1)!.seq).toBe(4);
    expect(feed.followed()).toEqual(new Set(['n2']));
  });
});
