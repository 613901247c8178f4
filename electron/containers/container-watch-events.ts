import { entryFolders } from './scoped-rescan.js';

/**
 * The watcher's lines (container-watch-script.ts watchScript) read into what
 * to rescan: the scopes named by events (scoped-rescan.ts), the containers
 * whose directories need a watch of their own (new ones, or a data/ made
 * after the watcher started), and a reason to rescan in full when events
 * cannot say what changed (the kernel's queue overflowed, a watched folder
 * went or a Treadmill folder appeared).
 */
export interface WatchBatch {
  scopes: Set<string>;
  /** Containers (unique names) whose directory or data/ is not watched yet: the watcher is started again with them. */
  unwatched: Set<string>;
  /** Set: the scopes do not cover what changed; a full rescan (and a new watcher) is needed. */
  full: string | null;
}

export const emptyBatch = (): WatchBatch => ({ scopes: new Set(), unwatched: new Set(), full: null });

/** What the watcher's channel said, one line at a time. */
export type WatchLine =
  | { kind: 'event'; events: string[]; path: string }
  | { kind: 'started'; pid: number; paths: number; sync: string }
  | { kind: 'ended'; code: number }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'other'; text: string };

export function parseWatchLine(line: string): WatchLine {
  if (line.startsWith('@ev ')) {
    const rest = line.slice('@ev '.length);
    const space = rest.indexOf(' ');
    // An overflow names no watch: inotifywait prints its event with an empty path.
    return space < 0 ? { kind: 'event', events: rest.split(','), path: '' } : { kind: 'event', events: rest.slice(0, space).split(','), path: rest.slice(space + 1) };
  }
  const started = /^@watcher (\d+) (\d+) (\/.+)$/.exec(line);
  if (started) return { kind: 'started', pid: Number(started[1]), paths: Number(started[2]), sync: started[3]! };
  const ended = /^@ended (\d+)$/.exec(line);
  if (ended) return { kind: 'ended', code: Number(ended[1]) };
  if (line.startsWith('@nowatch ')) return { kind: 'unavailable', reason: line.slice('@nowatch '.length) };
  return { kind: 'other', text: line };
}

const topFolders = new Set(['apps', 'tombstones', ...entryFolders.filter((folder) => !folder.includes('/'))]);
const appearsOrGoes = (events: readonly string[]) => events.some((e) => e === 'CREATE' || e === 'DELETE' || e.startsWith('MOVED_'));
const selfGone = (events: readonly string[]) => events.includes('DELETE_SELF') || events.includes('MOVE_SELF') || events.includes('UNMOUNT');

/** One event added to a batch. */
export function addEvent(batch: WatchBatch, events: readonly string[], rawPath: string): void {
  if (events.includes('Q_OVERFLOW')) {
    batch.full ??= "the node's inotify queue overflowed (fs.inotify.max_queued_events): events were lost";
    return;
  }
  if (events.includes('IGNORED')) return;
  // Paths are relative to the root; the root's own watch is `./`, and a watched directory's own events end in `/`.
  const path = rawPath.replace(/^\.\//, '').replace(/\/+$/, '');
  const parts = path.split('/');
  const isDir = events.includes('ISDIR');
  if (parts[0] === 'apps' && parts.length >= 2 && parts[1] !== '') {
    batch.scopes.add(`apps/${parts[1]}`);
    // A container directory, or its data/, that appeared: not watched yet.
    if (isDir && (events.includes('CREATE') || events.includes('MOVED_TO')) && (parts.length === 2 || (parts.length === 3 && parts[2] === 'data'))) batch.unwatched.add(parts[1]!);
    return;
  }
  const folder = entryFolders.find((f) => path.startsWith(`${f}/`) && !path.slice(f.length + 1).includes('/'));
  if (folder) {
    batch.scopes.add(path);
    return;
  }
  if (path === '' || parts.length === 1 || path === 'tombstones/running' || path === 'tombstones/services') {
    // A watched folder itself went, or a Treadmill folder came or went at the top: the watches no longer cover the root.
    if (selfGone(events) && path !== '') batch.full ??= `${path}/ was moved or removed`;
    else if (path === '' && selfGone(events)) batch.full ??= 'the node root was moved or removed';
    else if (appearsOrGoes(events) && (topFolders.has(path) || path.startsWith('tombstones/'))) batch.full ??= `${path}/ appeared or went`;
  }
}
