import { groupsOf } from './listing-index.js';
import { applyScanOutput, type NodeScanState, type ScanApplied } from './node-scan-state.js';
import { filePath } from './scan-delta.js';
import type { ScannedContainer, Manifest } from './container-scan.js';
import type { ContainerRow } from '../../shared/contract/containers.js';

/**
 * A rescan of only the folders a watcher named (container-watch-events.ts):
 * the node prints the listing lines of those scopes as they are now
 * (container-watch-script.ts scopedScript), and the lines held for the same
 * scopes are replaced by them. The replacement is made into the answer a
 * delta rescan would have given (`-` and `+` lines, the text of new files)
 * and applied by applyScanOutput, so the index, the derive of only the
 * instances touched, events and problems are the ones a shell rescan uses.
 *
 * A scope is a container directory `apps/<unique>` (its @app, @has, @big and
 * @file lines) or one entry of a small folder (`running/<name>`,
 * `tombstones/running/<name>`, `cache/<name>`, `appevents/<name>`, …: its one
 * line). The node's own listing is not rewritten: the generation held moves
 * past the node's, so the next shell rescan is a full one (rescanScript sends
 * a delta only against the generation it wrote).
 */

/** The small folders whose entries are listing lines one for one, as rescanScript reads them. */
export const entryFolders = ['running', 'cleanup', 'cleaning', 'tombstones/running', 'tombstones/services', 'cache', 'archives', 'appevents'] as const;

/** The scope a listing line belongs to (null: a line no scope holds). */
export function lineScope(line: string): string | null {
  const space = line.indexOf(' ');
  const marker = space < 0 ? line : line.slice(0, space);
  const arg = space < 0 ? '' : line.slice(space + 1);
  const first = arg.split(' ')[0]!;
  const container = (path: string) => (path.startsWith('apps/') ? path.split('/').slice(0, 2).join('/') : null);
  switch (marker) {
    case '@app':
      return `apps/${first}`;
    case '@has':
    case '@big':
      return container(arg);
    case '@file':
      return container(filePath(line) ?? '');
    case '@link':
    case '@tomb':
      return first;
    case '@cache':
      return `cache/${first}`;
    case '@archive':
      return `archives/${first}`;
    case '@event':
      return `appevents/${arg}`;
    default:
      return null;
  }
}

/** The index group whose lines can hold a scope's lines (a line of the scope made up, grouped as listing-index.ts groups it). */
function groupOfScope(scope: string): string | null {
  const slash = scope.lastIndexOf('/');
  const [folder, name] = [scope.slice(0, slash), scope.slice(slash + 1)];
  if (folder === 'apps') return groupsOf(`@app ${name} 0`)[0] ?? null;
  if (folder === 'running' || folder === 'cleanup' || folder === 'cleaning') return groupsOf(`@link ${scope} x`)[0] ?? null;
  if (folder.startsWith('tombstones/')) return groupsOf(`@tomb ${scope}`)[0] ?? null;
  if (folder === 'cache') return groupsOf(`@cache ${name} 0`)[0] ?? null;
  if (folder === 'archives') return groupsOf(`@archive ${name} 0`)[0] ?? null;
  return null;
}

const listingMarkers = new Set(['@app', '@has', '@big', '@file', '@link', '@tomb', '@cache', '@archive', '@event']);

/**
 * The scoped output turned into a delta rescan's answer against what `state`
 * holds. Throws when nothing is held (a scoped rescan needs a listing to
 * replace lines in: the caller scans in full) or when the node printed a line
 * outside the scopes asked for.
 */
export function scopedAnswer(state: NodeScanState, scopes: ReadonlySet<string>, output: string): string {
  const listing = state.listing;
  if (!listing) throw new Error('no listing held: a scoped rescan needs a full one first');
  const transient: string[] = [];
  const fresh = new Set<string>();
  const texts = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('apps/')) {
      const path = line.slice(0, line.indexOf(':'));
      const text = texts.get(path);
      if (text) text.push(line);
      else texts.set(path, [line]);
      continue;
    }
    const space = line.indexOf(' ');
    if (listingMarkers.has(space < 0 ? line : line.slice(0, space))) {
      const scope = lineScope(line);
      if (scope === null || !scopes.has(scope)) throw new Error(`the node printed a line outside the folders asked for: ${line}`);
      fresh.add(line);
    } else transient.push(line);
  }
  if (transient.some((line) => line.startsWith('@error'))) return [...transient].join('\n');
  const held = new Set<string>();
  for (const scope of scopes) {
    const group = groupOfScope(scope);
    const candidates = group === null ? (listing.lines.has(`@event ${scope.slice('appevents/'.length)}`) ? [`@event ${scope.slice('appevents/'.length)}`] : []) : (state.index.get(group) ?? []);
    for (const line of candidates) if (lineScope(line) === scope) held.add(line);
  }
  const out = [...transient, `@state delta ${listing.gen} ${listing.gen + 1}`];
  for (const line of held) if (!fresh.has(line)) out.push(`-${line}`);
  for (const line of fresh) {
    if (held.has(line)) continue;
    out.push(`+${line}`);
    const path = filePath(line);
    if (path) out.push(...(texts.get(path) ?? []));
  }
  return out.join('\n');
}

/** A scoped rescan's output applied to what is held (see scopedAnswer for what it throws). */
export function applyScopedOutput(state: NodeScanState, scopes: ReadonlySet<string>, output: string, row: (container: ScannedContainer, manifest: Manifest | null) => ContainerRow): ScanApplied | { error: string } {
  return applyScanOutput(state, scopedAnswer(state, scopes, output), row);
}
