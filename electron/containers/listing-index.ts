import { parseUnique } from '../../shared/contract/instance-name.js';
import { filePath, type NodeListing } from './scan-delta.js';

/**
 * A node's listing lines grouped by the instance whose rows they can change,
 * so a rescan re-derives only the instances its changed lines name.
 *
 * Every row is derived from lines of its own instance only (container-scan.ts
 * parseScanLines): a container directory `apps/<unique>` reads its own files
 * and flags, the running/, cleanup/ and cleaning/ links named by its unique
 * name or its instance, the tombstone of its instance and the service
 * tombstones of its unique name, the cache entry of its instance and the
 * archive of its unique name; a placed row (cache/) needs to know whether a
 * directory of its instance exists, an archived row whether its own directory
 * does. All of these lines share the group `instance`, and every row's
 * instance is its group. No listing line is node-wide (`@now` and `@missing`
 * are not listing lines, and rows do not read them), so there is no case
 * where a changed line must re-derive every row; should Treadmill's layout
 * ever gain one, it belongs in `nodeWide` below and re-derives all groups.
 */

/** Lines of names that are not containers still give problems: each such name is a group of its own. */
const oddName = (name: string) => `\0${name}`;
const groupOfUnique = (unique: string) => parseUnique(unique)?.instance ?? oddName(unique);
/** A path `apps/<unique>/…`: the unique name is its second part. */
const groupOfPath = (path: string) => groupOfUnique(path.split('/')[1] ?? '');

/** Lines that would change every row: none in today's layout (see above). */
export const nodeWide = (_line: string): boolean => false;

/** The groups a listing line belongs to (none for events: they change no row). */
export function groupsOf(line: string): string[] {
  const space = line.indexOf(' ');
  const marker = space < 0 ? line : line.slice(0, space);
  const arg = space < 0 ? '' : line.slice(space + 1);
  switch (marker) {
    case '@app':
      return [groupOfUnique(arg.split(' ')[0]!)];
    case '@has':
    case '@big':
      return [groupOfPath(arg)];
    case '@file':
      return [groupOfPath(filePath(line) ?? '')];
    case '@link': {
      // Named by unique name or by instance (cleanup.py, appcfgmgr.py): a unique name's row, or the instance's rows.
      const name = arg.split(' ')[0]!.split('/')[1] ?? '';
      return [parseUnique(name)?.instance ?? name];
    }
    case '@tomb': {
      // <id>,<time>,<rc>,<sig>: the id of a running tombstone is the instance, of a service's <unique>,<service>.
      const [, kind, name = ''] = arg.split('/');
      const id = name.split(',').slice(0, -3).join(',');
      return [kind === 'running' ? id : groupOfUnique(id.slice(0, Math.max(0, id.lastIndexOf(','))))];
    }
    case '@cache':
      return [arg.split(' ')[0]!];
    case '@archive':
      return [groupOfUnique(arg.split(' ')[0]!.replace(/\.sys\.tar\.gz$/, ''))];
    case '@event':
      return [];
    default:
      // Not a line the parser reads today: grouped on its own, so it can never stale another group.
      return [oddName(line)];
  }
}

/** The listing's lines by group, in listing order (a group's lines keep the order they have in the listing). */
export type ListingIndex = Map<string, Set<string>>;

export function indexListing(lines: Iterable<string>): ListingIndex {
  const index: ListingIndex = new Map();
  for (const line of lines) add(index, line);
  return index;
}

function add(index: ListingIndex, line: string): void {
  for (const group of groupsOf(line)) {
    const lines = index.get(group);
    if (lines) lines.add(line);
    else index.set(group, new Set([line]));
  }
}

/**
 * A delta applied to the index in place, in the order applyListingOutput
 * applies it to the listing (removed, then added), so each group's lines
 * stay in listing order. Returns the groups changed, or `all` when a
 * node-wide line changed.
 */
export function updateIndex(index: ListingIndex, removed: readonly string[], added: readonly string[], files: readonly string[]): Set<string> | 'all' {
  const touched = new Set<string>();
  let all = false;
  for (const line of removed) {
    if (nodeWide(line)) all = true;
    for (const group of groupsOf(line)) {
      touched.add(group);
      const lines = index.get(group);
      lines?.delete(line);
      if (lines?.size === 0) index.delete(group);
    }
  }
  for (const line of added) {
    if (nodeWide(line)) all = true;
    add(index, line);
    for (const group of groupsOf(line)) touched.add(group);
  }
  // A file's text comes with a new @file line; its group is marked even if a node ever sent the text alone.
  for (const path of files) touched.add(groupOfPath(path));
  return all ? 'all' : touched;
}

/** A group's lines as the scan parser reads them: its listing lines, then the text of its files. */
export function* groupLines(listing: NodeListing, lines: ReadonlySet<string>): Generator<string> {
  const paths = new Set<string>();
  for (const line of lines) {
    yield line;
    const path = filePath(line);
    if (path) paths.add(path);
  }
  for (const path of paths) for (const text of listing.contents.get(path) ?? []) yield `${path}:${text}`;
}
