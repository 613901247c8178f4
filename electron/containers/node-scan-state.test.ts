import { describe, expect, it } from 'vitest';
import type { ContainerRow } from '../../shared/contract/containers.js';
import { parseScanLines, type Manifest, type ScannedContainer } from './container-scan.js';
import { scannedRow } from './container-service.js';
import { groupsOf } from './listing-index.js';
import { applyScanOutput, emptyNodeScanState, generations, type NodeScanState, type ScanApplied } from './node-scan-state.js';
import { applyRowDelta, diffRows, listingLines, rowKey, rowMap } from './scan-delta.js';
import { generatedNode } from './test-support/listing-layout.js';

const byKey = (rows: Iterable<ContainerRow>) => [...rows].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : rowKey(a) > rowKey(b) ? 1 : 0));
const keys = (rows: readonly { instance: string; unique: string | null }[]) => rows.map(rowKey).sort();

/** The rows as a derive of the whole listing gives them (what every rescan did before), manifests remembered as the state does. */
function fullDerive(state: NodeScanState, remembered: Map<string, Manifest>) {
  const result = parseScanLines(listingLines(state.listing!, []));
  for (const c of result.containers) if (c.manifest && c.name.unique) remembered.set(c.name.unique, c.manifest);
  const rows = result.containers.map((c) => scannedRow('n1', c, c.manifest ?? (c.name.unique ? remembered.get(c.name.unique) : undefined) ?? null));
  return { rows, problems: result.problems.filter((p) => !p.startsWith('appevents/')) };
}

/** A state fed the node's answers, counting the rows it derives. */
function counted() {
  const state = emptyNodeScanState();
  let derives = 0;
  const row = (c: ScannedContainer, m: Manifest | null) => {
    derives++;
    return scannedRow('n1', c, m);
  };
  const apply = (output: string): ScanApplied => {
    derives = 0;
    const applied = applyScanOutput(state, output, row);
    if ('error' in applied) throw new Error(applied.error);
    return applied;
  };
  return { state, apply, derives: () => derives };
}

describe('a node delta re-derives only the instances its lines name', () => {
  it('random deltas on a generated layout: after each, the rows, their delta and the problems are a full derive’s', () => {
    for (const seed of [1, 2, 3]) {
      const node = generatedNode(seed);
      node.fill(300);
      const { state, apply } = counted();
      const remembered = new Map<string, Manifest>();
      let lines = node.lines();
      apply(node.answer(null, lines, 0, 1));
      expect(state.rows.size).toBeGreaterThan(250);
      for (let step = 0; step < 60; step++) {
        node.change(1 + (step % 8));
        const next = node.lines();
        const before = rowMap([...state.rows.values()]);
        const { base, next: gen } = generations(state);
        const applied = apply(node.answer(lines, next, base, gen));
        lines = next;
        expect(applied.mode).toBe('delta');
        const full = fullDerive(state, remembered);
        expect(byKey(state.rows.values()), `seed ${seed} step ${step}`).toEqual(byKey(full.rows));
        expect([...state.problems].sort()).toEqual([...full.problems].sort());
        // The delta is exactly what diffing the whole rows gives, and applied to the rows before gives the rows after.
        const expected = diffRows(before, full.rows);
        expect(keys(applied.delta.added)).toEqual(keys(expected.added));
        expect(keys(applied.delta.changed)).toEqual(keys(expected.changed));
        expect(keys(applied.delta.removed)).toEqual(keys(expected.removed));
        applyRowDelta(before, applied.delta);
        expect(byKey(before.values())).toEqual(byKey(full.rows));
      }
    }
  });

  it('a rescan that changed three containers derives those three rows; a link by instance derives each container of it', () => {
    const node = generatedNode(7);
    node.fill(500);
    const { state, apply, derives } = counted();
    let lines = node.lines();
    const first = apply(node.answer(null, lines, 0, 1));
    expect(derives()).toBe(state.rows.size);
    expect(first.derived).toBe(new Set([...lines.keys()].flatMap(groupsOf)).size);
    // Three containers alone in their instances: one flag each.
    const alone = node.containers().filter((u) => node.containers().filter((v) => node.instanceOf(v) === node.instanceOf(u)).length === 1);
    const changed = alone.slice(0, 3);
    for (const unique of changed) node.toggle(unique, 'data/oom');
    let next = node.lines();
    const applied = apply(node.answer(lines, next, 1, 2));
    lines = next;
    expect(applied.derived).toBe(3);
    // Their rows only, plus any placed or archived row of the same instances.
    const sameInstance = [...state.rows.values()].filter((r) => changed.some((u) => node.instanceOf(u) === r.instance));
    expect(derives()).toBe(sameInstance.length);
    expect(applied.delta.changed.map((r) => r.unique).sort()).toEqual(changed.filter((u) => state.rows.get(rowKey({ instance: node.instanceOf(u), unique: u }))).sort());
    // Nothing changed: nothing derived.
    const idle = apply(node.answer(lines, lines, 2, 3));
    expect([idle.derived, derives(), idle.delta]).toEqual([0, 0, { added: [], changed: [], removed: [] }]);
    // A new running/ link named by instance is read by every container of that instance.
    const twice = node.containers().find((u) => node.containers().filter((v) => node.instanceOf(v) === node.instanceOf(u)).length > 1);
    if (twice) {
      next = new Map(lines).set(`@link running/${node.instanceOf(twice)} ../apps/${twice}`, null);
      const linked = apply(node.answer(lines, next, 3, 4));
      expect(linked.derived).toBe(1);
      expect(derives()).toBe([...state.rows.values()].filter((r) => r.instance === node.instanceOf(twice)).length);
      expect(derives()).toBeGreaterThan(1);
      expect(state.rows.get(rowKey({ instance: node.instanceOf(twice), unique: twice }))?.state).toBeDefined();
    }
  });

  it('10,000 containers, 10 changed: incremental against a full derive (timing printed, not asserted)', () => {
    const node = generatedNode(11);
    node.fill(10_000);
    const { state, apply } = counted();
    const lines = node.lines();
    let started = performance.now();
    apply(node.answer(null, lines, 0, 1));
    const firstMs = performance.now() - started;
    for (const unique of node.containers().slice(0, 10)) node.toggle(unique, 'data/terminated');
    const next = node.lines();
    const output = node.answer(lines, next, 1, 2);
    const rowsBefore = rowMap([...state.rows.values()]);
    started = performance.now();
    const applied = apply(output);
    const incrementalMs = performance.now() - started;
    // The full derive a rescan did before: the whole listing read again, every row built and compared.
    started = performance.now();
    const full = fullDerive(state, new Map(state.manifests));
    const fullDelta = diffRows(rowsBefore, full.rows);
    const fullMs = performance.now() - started;
    expect(applied.delta.changed.length).toBe(fullDelta.changed.length);
    expect(byKey(state.rows.values())).toEqual(byKey(full.rows));
    console.log(`10,000 containers (${state.rows.size} rows), 10 changed: incremental ${incrementalMs.toFixed(1)} ms (${applied.derived} instances), full derive ${fullMs.toFixed(1)} ms; first scan ${firstMs.toFixed(1)} ms`);
  });
});
