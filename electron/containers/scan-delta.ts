import type { ContainerRow, ContainerRowKey } from '../../shared/contract/containers.js';

/**
 * Pure steps of a rescan that sends only changes (no effects, tested without
 * a node): the node's listing updated by the lines the node says were added
 * or removed, and the rows a client holds updated by what changed in them.
 */

/**
 * What the backend holds of a node's listing (the node's own copy of the
 * same lines sits in its state directory, generation `gen`): one line per
 * container directory, flag file, manifest, link, tombstone, cache entry,
 * archive and event; the text of the files read, by path.
 */
export interface NodeListing {
  gen: number;
  lines: Set<string>;
  contents: Map<string, string[]>;
}

export interface AppliedListing {
  /** Null when the node could not be read (`@error`): what was held stays as it was. */
  listing: NodeListing | null;
  /** `full`: the node sent everything (first scan, or its state was lost or did not match); `delta`: only changes. */
  mode: 'full' | 'delta';
  /** Lines about this scan only: `@now`, `@error`, `@missing`, `@big`, and event details (file, NUL, line). */
  transient: string[];
  /** Listing lines added and removed by this scan (all of them for a full one). */
  added: string[];
  removed: string[];
  /** Paths whose text this scan sent. */
  files: string[];
}

/** A listing line that names a file whose text the node sends when the line is new: `@file <path> <mtime> <size>`. */
export function filePath(line: string): string | null {
  if (!line.startsWith('@file ')) return null;
  const rest = line.slice('@file '.length);
  const end = rest.lastIndexOf(' ', rest.lastIndexOf(' ') - 1);
  return end > 0 ? rest.slice(0, end) : null;
}

/**
 * The node's answer applied to what was held. A delta is refused (an error
 * the caller answers with a full scan) unless it is based on the generation
 * held: applying it to any other would leave rows that are not on the node.
 */
export function applyListingOutput(held: NodeListing | null, output: string): AppliedListing {
  const transient: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  const fresh = new Map<string, string[]>();
  let mode: 'full' | 'delta' | null = null;
  let base = 0;
  let gen = 0;
  let failed = false;
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const first = line.charCodeAt(0);
    if (first === 43 /* + */) added.push(line.slice(1));
    else if (first === 45 /* - */) removed.push(line.slice(1));
    else if (line.startsWith('apps/')) {
      // grep -H: the path, a colon, the line (container paths hold no colon: Treadmill's names do not allow one).
      const at = line.indexOf(':');
      const path = line.slice(0, at);
      const text = fresh.get(path);
      if (text) text.push(line.slice(at + 1));
      else fresh.set(path, [line.slice(at + 1)]);
    } else if (line.startsWith('@state ')) {
      const [, kind, from, to] = line.split(' ');
      mode = kind === 'delta' ? 'delta' : 'full';
      base = Number(from);
      gen = Number(to);
    } else {
      if (line.startsWith('@error')) failed = true;
      transient.push(line);
    }
  }
  if (failed) return { listing: null, mode: 'full', transient, added: [], removed: [], files: [] };
  if (mode === null) throw new Error('the scan did not say whether it sent everything or only changes');
  if (mode === 'delta' && (!held || held.gen !== base)) throw new Error(`the node sent changes since scan ${base}, but scan ${held?.gen ?? 'none'} is held`);
  const lines = mode === 'delta' ? new Set(held!.lines) : new Set<string>();
  const contents = mode === 'delta' ? new Map(held!.contents) : new Map<string, string[]>();
  for (const line of removed) {
    lines.delete(line);
    const path = filePath(line);
    if (path) contents.delete(path);
  }
  for (const line of added) lines.add(line);
  for (const [path, text] of fresh) contents.set(path, text);
  return { listing: { gen, lines, contents }, mode, transient, added, removed, files: [...fresh.keys()] };
}

/** The listing as the lines the scan parser reads: a file's text as grep -H printed it. */
export function* listingLines(listing: NodeListing, transient: readonly string[]): Generator<string> {
  yield* transient;
  yield* listing.lines;
  for (const [path, text] of listing.contents) for (const line of text) yield `${path}:${line}`;
}

/** A row's key within its node. */
export const rowKey = (row: ContainerRowKey): string => `${row.instance}\n${row.unique ?? ''}`;

export interface RowDelta {
  added: ContainerRow[];
  changed: ContainerRow[];
  removed: ContainerRowKey[];
}

const sameValue = (a: unknown, b: unknown): boolean => a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));

/** Field by field: rows are flat but for a few small arrays and an abort's payload. */
export function sameRow(a: ContainerRow, b: ContainerRow): boolean {
  for (const field of Object.keys(a) as (keyof ContainerRow)[]) if (!sameValue(a[field], b[field])) return false;
  return Object.keys(a).length === Object.keys(b).length;
}

/** What differs between the rows held (by key) and a scan's rows. */
export function diffRows(held: ReadonlyMap<string, ContainerRow>, rows: readonly ContainerRow[]): RowDelta {
  const delta: RowDelta = { added: [], changed: [], removed: [] };
  const seen = new Set<string>();
  for (const row of rows) {
    const key = rowKey(row);
    seen.add(key);
    const before = held.get(key);
    if (!before) delta.added.push(row);
    else if (!sameRow(before, row)) delta.changed.push(row);
  }
  for (const [key, row] of held) if (!seen.has(key)) delta.removed.push({ instance: row.instance, unique: row.unique });
  return delta;
}

/** Rows by key, from a list. */
export const rowMap = (rows: readonly ContainerRow[]): Map<string, ContainerRow> => new Map(rows.map((row) => [rowKey(row), row]));

/** A delta applied to rows held by key (in place: the caller owns the map). */
export function applyRowDelta(rows: Map<string, ContainerRow>, delta: RowDelta): void {
  for (const key of delta.removed) rows.delete(rowKey(key));
  for (const row of delta.added) rows.set(rowKey(row), row);
  for (const row of delta.changed) rows.set(rowKey(row), row);
}

export const deltaSize = (delta: RowDelta): number => delta.added.length + delta.changed.length + delta.removed.length;
