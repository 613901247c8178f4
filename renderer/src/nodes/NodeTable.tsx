import { useEffect, useRef } from 'react';
import type { NodeFacts, NodeStatus } from '../../../shared/contract/index.js';
import { formatBytes, formatTime } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { toggleAll } from './node-filter.js';
import { formatAgo, usageOf } from './node-format.js';
import { ariaSort, type NodeSortKey } from './node-sort.js';
import { NodeStateBadge, UsageBar } from './NodeStateBadge.js';
import { useNodes } from './nodes-store.js';

function UsageCells({ facts }: { facts: NodeFacts | null }) {
  if (!facts) {
    return (
      <>
        <td className="muted">—</td>
        <td className="muted">—</td>
        <td className="muted">—</td>
      </>
    );
  }
  const usage = usageOf(facts);
  const used = (part: number, whole: number) => `${formatBytes(part)} of ${formatBytes(whole)}`;
  return (
    <>
      <td><UsageBar usage={usage.load} label="Load" detail={`load ${facts.load.join(' / ')} on ${facts.cpus} CPUs`} /></td>
      <td><UsageBar usage={usage.memory} label="Memory" detail={`${used(facts.memTotalBytes - facts.memAvailableBytes, facts.memTotalBytes)} in use`} /></td>
      <td><UsageBar usage={usage.disk} label="Disk" detail={`root disk: ${used(facts.rootDiskUsedBytes, facts.rootDiskTotalBytes)} used`} /></td>
    </>
  );
}

export function Labels({ labels }: { labels: readonly string[] }) {
  return (
    <span className="chips">
      {labels.map((label) => (
        <span key={label} className="chip">{label}</span>
      ))}
    </span>
  );
}

/** A column header that sorts the table by it; `aria-sort` says how it is sorted now. */
function SortHeader({ sortKey, label }: { sortKey: NodeSortKey; label: string }) {
  const sort = useNodes((s) => s.sort);
  const sortBy = useNodes((s) => s.sortBy);
  const order = ariaSort(sort, sortKey);
  return (
    <th scope="col" aria-sort={order} data-sort={sortKey}>
      <button type="button" className="nodes__sort" onClick={() => sortBy(sortKey)}>
        {label}
        <span className="nodes__arrow" aria-hidden="true">{order === 'ascending' ? '▲' : order === 'descending' ? '▼' : ''}</span>
      </button>
    </th>
  );
}

/** The inventory, one row a node, in the order the rows come (sorted by the view); checks for the toolbar, a click opens the detail. */
export function NodeTable({ rows }: { rows: readonly NodeStatus[] }) {
  const selected = useNodes((s) => s.selected);
  const open = useNodes((s) => s.open);
  const setSelected = useNodes((s) => s.setSelected);
  const toggleSelected = useNodes((s) => s.toggleSelected);
  const openNode = useNodes((s) => s.openNode);
  const now = useNow(true, 1000);
  const visible = rows.map((r) => r.spec.name);
  const checked = visible.filter((name) => selected.includes(name)).length;
  const all = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (all.current) all.current.indeterminate = checked > 0 && checked < visible.length;
  }, [checked, visible.length]);

  return (
    <div className="nodes__scroll">
      <table className="table table--compact nodes" aria-label="Nodes">
        <thead>
          <tr>
            <th scope="col" className="nodes__check">
              <input
                ref={all}
                type="checkbox"
                aria-label="Select all nodes in view"
                checked={visible.length > 0 && checked === visible.length}
                disabled={visible.length === 0}
                onChange={() => setSelected(toggleAll(selected, visible))}
              />
            </th>
            <SortHeader sortKey="name" label="Name" />
            <SortHeader sortKey="address" label="Address" />
            <SortHeader sortKey="user" label="User" />
            <SortHeader sortKey="state" label="State" />
            <SortHeader sortKey="lastSeen" label="Last seen" />
            <SortHeader sortKey="load" label="Load" />
            <SortHeader sortKey="memory" label="Memory" />
            <SortHeader sortKey="disk" label="Disk" />
            <th scope="col">Labels</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ spec, state, lastSeen, facts }) => {
            const isOpen = spec.name === open;
            const isChecked = selected.includes(spec.name);
            return (
              <tr
                key={spec.name}
                data-node={spec.name}
                data-state={state}
                aria-current={isOpen ? true : undefined}
                className={`nodes__row${isOpen ? ' is-selected' : ''}${isChecked ? ' is-checked' : ''}`}
                onClick={() => openNode(spec.name)}
              >
                <td className="nodes__check" onClick={(event) => event.stopPropagation()}>
                  <input type="checkbox" aria-label={`Select ${spec.name}`} checked={isChecked} onChange={() => toggleSelected(spec.name)} />
                </td>
                <th scope="row">
                  <button type="button" className="linklike mono" onClick={(event) => { event.stopPropagation(); openNode(spec.name); }}>
                    {spec.name}
                  </button>
                </th>
                <td className="mono nowrap">
                  {spec.host}:{spec.port}
                  {spec.jump && <span className="nodes__via">via {spec.jump}</span>}
                </td>
                <td className="mono">{spec.user}</td>
                <td><NodeStateBadge state={state} /></td>
                <td className="nowrap" data-col="last-seen" title={lastSeen ? formatTime(lastSeen) : undefined}>
                  {formatAgo(lastSeen, now)}
                </td>
                <UsageCells facts={facts} />
                <td><Labels labels={spec.labels} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
