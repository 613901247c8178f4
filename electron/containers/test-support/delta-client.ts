import { ContainerDelta, type ContainerRow, type ContainerScanMeta } from '../../../shared/contract/containers.js';
import { createClientContext } from '../../backend/client-context.js';
import { applyRowDelta, rowKey } from '../scan-delta.js';

/**
 * A connected client as the feed sees it (the real client context), which
 * keeps what it is sent as a console would: every `containers.delta` checked
 * against the contract, applied to rows by key, its sequence followed.
 */
export function deltaClient(id = 'c1') {
  const received: ContainerDelta[] = [];
  const nodes = new Map<string, { seq: number; meta: ContainerScanMeta; rows: Map<string, ContainerRow> }>();
  const gaps: string[] = [];
  const context = createClientContext(id, (topic, payload) => {
    if (topic !== 'containers.delta') return;
    const delta = ContainerDelta.parse(payload);
    received.push(delta);
    if ('snapshot' in delta) {
      const { rows, ...meta } = delta.snapshot;
      nodes.set(delta.node, { seq: delta.seq, meta, rows: new Map(rows.map((row) => [rowKey(row), row])) });
      return;
    }
    const node = nodes.get(delta.node);
    if (!node || delta.seq !== node.seq + 1) {
      gaps.push(delta.node);
      return;
    }
    node.seq = delta.seq;
    node.meta = delta.scan;
    applyRowDelta(node.rows, delta);
  });
  return {
    context,
    received,
    gaps,
    rows: (node: string) => [...(nodes.get(node)?.rows.values() ?? [])],
    meta: (node: string) => nodes.get(node)?.meta,
    /** The deltas (not snapshots) received, by node. */
    deltas: (node?: string) => received.filter((d): d is Extract<ContainerDelta, { added: unknown }> => 'added' in d && (!node || d.node === node)),
    snapshots: (node?: string) => received.filter((d): d is Extract<ContainerDelta, { snapshot: unknown }> => 'snapshot' in d && (!node || d.node === node)),
  };
}
