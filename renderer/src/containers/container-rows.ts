import { ContainerState, type ContainerRow } from '../../../shared/contract/index.js';

/** In their life's order, as the contract lists them: also the order a sort by state follows. */
export const containerStates: readonly ContainerState[] = ContainerState.options;

export interface ContainerFilter {
  /** One node, or every node. */
  node: string | null;
  /** Words that must all appear in the app or the instance name. */
  app: string;
  state: ContainerState | null;
}

export type SortKey = 'node' | 'state' | 'age';
export interface ContainerSort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export const noContainerFilter: ContainerFilter = { node: null, app: '', state: null };
export const defaultSort: ContainerSort = { key: 'node', dir: 'asc' };

const collator = new Intl.Collator('en', { numeric: true });

/** Node names in natural order: rack2-n10 after rack2-n9. */
export function sortScans<S extends { node: string }>(scans: Readonly<Record<string, S>>): S[] {
  return Object.values(scans).sort((a, b) => collator.compare(a.node, b.node));
}

/** Every row of every node: node by node, each node's list already in instance order (container-row-index.ts). */
export function allRows(scans: readonly { node: string }[], byNode: Readonly<Record<string, readonly ContainerRow[]>>): ContainerRow[] {
  return scans.flatMap((scan) => byNode[scan.node] ?? []);
}

export function matchesApp(row: ContainerRow, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const app = row.app.toLowerCase();
  const instance = row.instance.toLowerCase();
  return words.every((word) => app.includes(word) || instance.includes(word));
}

/** The rows the node and app filters keep: what the counts per state are counted over. */
export function filterRows(rows: readonly ContainerRow[], node: string | null, app: string): readonly ContainerRow[] {
  const words = app.toLowerCase().split(/\s+/).filter(Boolean);
  if (node === null && words.length === 0) return rows;
  return rows.filter((row) => (node === null || row.node === node) && matchesApp(row, words));
}

export type StateCounts = Record<ContainerState, number>;

export function countStates(rows: readonly ContainerRow[]): StateCounts {
  const counts = Object.fromEntries(containerStates.map((state) => [state, 0])) as StateCounts;
  for (const row of rows) counts[row.state] += 1;
  return counts;
}

const stateRank = new Map(containerStates.map((state, i) => [state, i]));

/** The rows in view: of one state (or all), sorted; ties keep node and instance order. */
export function shownRows(rows: readonly ContainerRow[], state: ContainerState | null, sort: ContainerSort): readonly ContainerRow[] {
  const kept = state === null ? rows : rows.filter((row) => row.state === state);
  if (sort.key === 'node') return sort.dir === 'asc' ? kept : [...kept].reverse();
  // Keys computed once per row: a comparator parsing dates would parse each many times.
  const key = sort.key === 'age' ? (row: ContainerRow) => -Date.parse(row.changedAt) : (row: ContainerRow) => stateRank.get(row.state) ?? 0;
  const sign = sort.dir === 'asc' ? 1 : -1;
  return kept
    .map((row, index) => ({ row, index, key: key(row) }))
    .sort((a, b) => sign * (a.key - b.key) || a.index - b.index)
    .map((entry) => entry.row);
}

export { lastResult } from '../lib/last-result.js';
