import type { ContainerEventLine, ContainerRow, ContainerScan } from '../../shared/contract/containers.js';
import { parseScanLines, type Manifest, type ManifestCache, type ScanResult } from './container-scan.js';
import { applyListingOutput, applyRowDelta, diffRows, listingLines, rowMap, type NodeListing, type RowDelta } from './scan-delta.js';
import type { ContainerEvent } from './trace-events.js';

/** An event as a scan read it: with what its file held (a finish's exit info, an abort's payload). */
export type SeenEvent = ContainerEvent & { details: string | null };

/**
 * What the backend keeps of one node root between scans: the node's listing
 * (the base of its next delta), the rows derived from it by key, every event
 * seen, and manifests already parsed. A scan's output goes in; what changed
 * in the rows comes out.
 */
export interface NodeScanState {
  listing: NodeListing | null;
  rows: Map<string, ContainerRow>;
  events: SeenEvent[];
  manifests: Map<string, Manifest>;
  manifestTexts: ManifestCache;
  /** Malformed files the last reading of the rows found. */
  problems: string[];
}

export const emptyNodeScanState = (): NodeScanState => ({ listing: null, rows: new Map(), events: [], manifests: new Map(), manifestTexts: new Map(), problems: [] });

export interface ScanApplied {
  problems: string[];
  /** Treadmill's directories missing under the root. */
  missing: string[];
  /** What changed in the rows (everything, against nothing held, on a first scan). */
  delta: RowDelta;
  fresh: SeenEvent[];
  mode: 'full' | 'delta';
}

/** The generation the node is asked to diff against, and the one its answer becomes. */
export const generations = (state: NodeScanState) => ({ base: state.listing?.gen ?? 0, next: (state.listing?.gen ?? 0) + 1 });

/**
 * The node's answer applied (throws when a delta does not fit what is held:
 * the caller scans in full). `row` builds a contract row from a container and
 * its manifest (remembered across scans: a manifest is read once).
 */
export function applyScanOutput(state: NodeScanState, output: string, row: (container: ScanResult['containers'][number], manifest: Manifest | null) => ContainerRow): ScanApplied | { error: string } {
  const applied = applyListingOutput(state.listing, output);
  if (!applied.listing) return { error: applied.transient.find((line) => line.startsWith('@error'))?.slice('@error '.length) ?? 'the node could not be read' };
  const missing = applied.transient.filter((line) => line.startsWith('@missing ')).map((line) => line.slice('@missing '.length));
  if (applied.mode === 'delta' && [...applied.added, ...applied.removed].every((line) => line.startsWith('@event '))) {
    // Nothing but events (or nothing at all) changed: the rows stand; only the new events are read.
    const result = parseScanLines([...applied.transient, ...applied.added]);
    const fresh = freshEvents(state, result);
    state.listing = applied.listing;
    return { problems: [...state.problems, ...result.problems], missing, delta: { added: [], changed: [], removed: [] }, fresh, mode: applied.mode };
  }
  // The manifest cache is rebuilt when it holds far more than the node has: containers come and go.
  if (state.manifestTexts.size > 2 * state.rows.size + 1_000) state.manifestTexts = new Map();
  const result = parseScanLines(listingLines(applied.listing, applied.transient), state.manifestTexts);
  for (const container of result.containers) if (container.manifest && container.name.unique) state.manifests.set(container.name.unique, container.manifest);
  const fresh = freshEvents(state, result);
  const rows = result.containers.map((c) => row(c, c.manifest ?? (c.name.unique ? state.manifests.get(c.name.unique) : undefined) ?? null));
  const delta = diffRows(state.rows, rows);
  applyRowDelta(state.rows, delta);
  state.listing = applied.listing;
  // Event problems are said once, when the event is new; the rows' problems while they last.
  state.problems = result.problems.filter((problem) => !problem.startsWith('appevents/'));
  return { problems: result.problems, missing, delta, fresh, mode: applied.mode };
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
