import type { ContainerEventLine, ContainerRow, ContainerScan } from '../../shared/contract/containers.js';
import { parseScanLines, type Manifest, type ManifestCache, type ScannedContainer, type ScanResult } from './container-scan.js';
import { groupLines, indexListing, updateIndex, type ListingIndex } from './listing-index.js';
import { applyListingOutput, applyRowDelta, diffRows, rowKey, rowMap, sameRow, type NodeListing, type RowDelta } from './scan-delta.js';
import type { ContainerEvent } from './trace-events.js';

/** An event as a scan read it: with what its file held (a finish's exit info, an abort's payload). */
export type SeenEvent = ContainerEvent & { details: string | null };

/**
 * What the backend keeps of one node root between scans: the node's listing
 * (the base of its next delta) and its lines by instance, the rows derived
 * from it by key and which instance gave which, every event seen, and
 * manifests already parsed. A scan's output goes in; what changed in the rows
 * comes out.
 */
export interface NodeScanState {
  listing: NodeListing | null;
  /** The listing's lines by instance (listing-index.ts), kept in step with `listing`. */
  index: ListingIndex;
  rows: Map<string, ContainerRow>;
  /** Per instance (index group): the keys of the rows its lines gave, and the problems they gave (when any). */
  groupRows: Map<string, string[]>;
  groupProblems: Map<string, string[]>;
  events: SeenEvent[];
  manifests: Map<string, Manifest>;
  manifestTexts: ManifestCache;
  /** Malformed files the last reading of the rows found. */
  problems: string[];
}

export const emptyNodeScanState = (): NodeScanState => ({ listing: null, index: new Map(), rows: new Map(), groupRows: new Map(), groupProblems: new Map(), events: [], manifests: new Map(), manifestTexts: new Map(), problems: [] });

export interface ScanApplied {
  problems: string[];
  /** Treadmill's directories missing under the root. */
  missing: string[];
  /** What changed in the rows (everything, against nothing held, on a first scan). */
  delta: RowDelta;
  fresh: SeenEvent[];
  mode: 'full' | 'delta';
  /** Instances whose rows were derived again: all of them after a full scan, those the changed lines name after a delta. */
  derived: number;
}

/** The generation the node is asked to diff against, and the one its answer becomes. */
export const generations = (state: NodeScanState) => ({ base: state.listing?.gen ?? 0, next: (state.listing?.gen ?? 0) + 1 });

type RowOf = (container: ScannedContainer, manifest: Manifest | null) => ContainerRow;

/**
 * The node's answer applied (throws when a delta does not fit what is held:
 * the caller scans in full). `row` builds a contract row from a container and
 * its manifest (remembered across scans: a manifest is read once). After a
 * delta only the instances its lines name are derived again: with 10,000
 * containers on a node, a rescan that changed ten reads ten.
 */
export function applyScanOutput(state: NodeScanState, output: string, row: RowOf): ScanApplied | { error: string } {
  const applied = applyListingOutput(state.listing, output);
  if (!applied.listing) return { error: applied.transient.find((line) => line.startsWith('@error'))?.slice('@error '.length) ?? 'the node could not be read' };
  const listing = applied.listing;
  const missing = applied.transient.filter((line) => line.startsWith('@missing ')).map((line) => line.slice('@missing '.length));
  // Events are read when new (the listing's others were read when they were): they change no row.
  const events = parseScanLines([...applied.transient, ...applied.added.filter((line) => line.startsWith('@event '))]);
  const fresh = freshEvents(state, events);
  // The manifest cache is rebuilt when it holds far more than the node has: containers come and go.
  if (state.manifestTexts.size > 2 * state.rows.size + 1_000) state.manifestTexts = new Map();
  const touched = applied.mode === 'full' ? 'all' : updateIndex(state.index, applied.removed, applied.added, applied.files);
  let delta: RowDelta;
  let derived: number;
  if (touched === 'all') {
    if (applied.mode === 'full') state.index = indexListing(listing.lines);
    state.groupRows = new Map();
    state.groupProblems = new Map();
    const rows: ContainerRow[] = [];
    for (const group of state.index.keys()) rows.push(...deriveGroup(state, listing, group, row));
    delta = diffRows(state.rows, rows);
    applyRowDelta(state.rows, delta);
    derived = state.index.size;
  } else {
    delta = { added: [], changed: [], removed: [] };
    for (const group of touched) {
      const before = state.groupRows.get(group) ?? [];
      const rows = deriveGroup(state, listing, group, row);
      const now = new Set<string>();
      for (const next of rows) {
        const key = rowKey(next);
        now.add(key);
        const held = state.rows.get(key);
        if (!held) delta.added.push(next);
        else if (!sameRow(held, next)) delta.changed.push(next);
      }
      for (const key of before) {
        const gone = state.rows.get(key);
        if (!now.has(key) && gone) delta.removed.push({ instance: gone.instance, unique: gone.unique });
      }
    }
    applyRowDelta(state.rows, delta);
    derived = touched.size;
  }
  state.listing = listing;
  // Event problems are said once, when the event is new; the rows' problems while they last.
  state.problems = [...state.groupProblems.values()].flat();
  return { problems: [...state.problems, ...events.problems], missing, delta, fresh, mode: applied.mode, derived };
}

/** One instance's rows from its lines alone (every row reads only lines of its own instance: listing-index.ts). */
function deriveGroup(state: NodeScanState, listing: NodeListing, group: string, row: RowOf): ContainerRow[] {
  const lines = state.index.get(group);
  const result = lines ? parseScanLines(groupLines(listing, lines), state.manifestTexts) : null;
  const rows: ContainerRow[] = [];
  for (const container of result?.containers ?? []) {
    if (container.manifest && container.name.unique) state.manifests.set(container.name.unique, container.manifest);
    rows.push(row(container, container.manifest ?? (container.name.unique ? state.manifests.get(container.name.unique) : undefined) ?? null));
  }
  if (rows.length > 0) state.groupRows.set(group, rows.map(rowKey));
  else state.groupRows.delete(group);
  if (result && result.problems.length > 0) state.groupProblems.set(group, result.problems);
  else state.groupProblems.delete(group);
  return rows;
}

/** Events not seen before, with what their files held; remembered from now on. */
function freshEvents(state: NodeScanState, result: ScanResult): SeenEvent[] {
  const known = new Set(state.events.map((e) => e.file));
  const fresh = result.events.filter((e) => !known.has(e.file)).map((e) => ({ ...e, details: result.eventDetails.get(e.file) ?? null }));
  state.events.push(...fresh);
  return fresh;
}

/** A whole scan (the old way: a local root) replacing what is held; returns what changed. */
export function replaceRows(state: NodeScanState, rows: readonly ContainerRow[]): RowDelta {
  const delta = diffRows(state.rows, rows);
  state.rows = rowMap(rows);
  return delta;
}

export const eventsOf = (state: NodeScanState, instance: string, line: (event: SeenEvent) => ContainerEventLine) => state.events.filter((e) => e.instance === instance).map(line);

/** The rows held, as a scan lists them. */
export const heldScan = (meta: Omit<ContainerScan, 'rows'>, state: NodeScanState): ContainerScan => ({ ...meta, rows: [...state.rows.values()] });
