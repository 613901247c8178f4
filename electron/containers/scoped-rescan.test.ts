import { describe, expect, it } from 'vitest';
import type { ContainerRow } from '../../shared/contract/containers.js';
import { parseScanLines, type Manifest } from './container-scan.js';
import { scannedRow } from './container-service.js';
import { applyScanOutput, emptyNodeScanState, type ScanApplied } from './node-scan-state.js';
import { applyScopedOutput, lineScope, scopedAnswer } from './scoped-rescan.js';
import { applyRowDelta, diffRows, filePath, listingLines, rowKey, rowMap } from './scan-delta.js';
import { generatedNode } from './test-support/listing-layout.js';

const byKey = (rows: Iterable<ContainerRow>) => [...rows].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : rowKey(a) > rowKey(b) ? 1 : 0));
const keys = (rows: readonly { instance: string; unique: string | null }[]) => rows.map(rowKey).sort();
const row = (c: Parameters<typeof scannedRow>[1], m: Manifest | null) => scannedRow('n1', c, m);
type Lines = Map<string, string[] | null>;

/** What the node's scoped script prints for these scopes: their lines as they are now, and the text of their files. */
function scopedOutput(now: Lines, scopes: ReadonlySet<string>): string {
  const out = ['@now 1'];
  for (const [line, text] of now) {
    if (!scopes.has(lineScope(line) ?? '')) continue;
    out.push(line);
    if (text) for (const t of text) out.push(`${filePath(line)}:${t}`);
  }
  return out.join('\n');
}

/** The scopes a watcher names for a change: those of every line that came or went. */
const changedScopes = (before: Lines, after: Lines) =>
  new Set([...before.keys()].filter((l) => !after.has(l)).concat([...after.keys()].filter((l) => !before.has(l))).map((l) => lineScope(l)!));

describe('a scoped rescan replaces the lines of the folders events name', () => {
  it('random changes on a generated layout: after each, the rows, their delta and the problems are a full derive’s', () => {
    for (const seed of [4, 5, 6]) {
      const node = generatedNode(seed);
      node.fill(300);
      const state = emptyNodeScanState();
      const remembered = new Map<string, Manifest>();
      let lines = node.lines();
      const first = applyScanOutput(state, node.answer(null, lines, 0, 1), row) as ScanApplied;
      expect(first.mode).toBe('full');
      for (let step = 0; step < 60; step++) {
        node.change(1 + (step % 8));
        const next = node.lines();
        const scopes = changedScopes(lines, next);
        // A watcher may name folders where nothing changed (an event that undid itself): a few more, unchanged.
        for (const line of [...next.keys()].slice(step, step + 3)) scopes.add(lineScope(line)!);
        const before = rowMap([...state.rows.values()]);
        const gen = state.listing!.gen;
        const applied = applyScopedOutput(state, scopes, scopedOutput(next, scopes), row) as ScanApplied;
        lines = next;
        expect(applied.mode).toBe('delta');
        expect(state.listing!.gen).toBe(gen + 1);
        expect(new Set(state.listing!.lines), `seed ${seed} step ${step}`).toEqual(new Set(next.keys()));
        const full = parseScanLines(listingLines(state.listing!, []));
        for (const c of full.containers) if (c.manifest && c.name.unique) remembered.set(c.name.unique, c.manifest);
        const fullRows = full.containers.map((c) => scannedRow('n1', c, c.manifest ?? (c.name.unique ? remembered.get(c.name.unique) : undefined) ?? null));
        expect(byKey(state.rows.values()), `seed ${seed} step ${step}`).toEqual(byKey(fullRows));
        expect([...state.problems].sort()).toEqual(full.problems.filter((p) => !p.startsWith('appevents/')).sort());
        const expected = diffRows(before, fullRows);
        expect(keys(applied.delta.added)).toEqual(keys(expected.added));
        expect(keys(applied.delta.changed)).toEqual(keys(expected.changed));
        expect(keys(applied.delta.removed)).toEqual(keys(expected.removed));
        applyRowDelta(before, applied.delta);
        expect(byKey(before.values())).toEqual(byKey(fullRows));
      }
    }
  });

  it('needs a listing held, refuses lines outside the scopes, and passes a node error through', () => {
    const state = emptyNodeScanState();
    expect(() => scopedAnswer(state, new Set(['apps/a']), '@app a 1')).toThrow(/full one first/);
    applyScanOutput(state, '@state full 0 1\n+@app proid.web-0000000001-abcdefghijklm 1', row);
    expect(() => scopedAnswer(state, new Set(['apps/x']), '@app proid.web-0000000002-abcdefghijklm 1')).toThrow(/outside the folders/);
    expect(applyScopedOutput(state, new Set(['apps/x']), '@error cannot open /gone', row)).toEqual({ error: 'cannot open /gone' });
    // A container gone: its lines removed, its row with them.
    const gone = applyScopedOutput(state, new Set(['apps/proid.web-0000000001-abcdefghijklm']), '@now 2', row) as ScanApplied;
    expect(gone.delta.removed).toEqual([{ instance: 'proid.web#0000000001', unique: 'proid.web-0000000001-abcdefghijklm' }]);
    expect(state.rows.size).toBe(0);
  });
});
