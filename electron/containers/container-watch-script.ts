import { shQuote } from '../remote/shell-script.js';
import { walkOne } from './container-rescan-script.js';
import { entryFolders } from './scoped-rescan.js';

/**
 * The node's side of a watched node root: a watcher left running on a
 * streaming channel, and the scoped rescan its events call for.
 *
 * The watcher is Debian's inotifywait (inotify-tools) over the root, apps/,
 * every container directory and its data/ (what rescanScript walks below a
 * container: files right in it, old layout and `down`, and in data/), and the
 * small folders whose entries are listing lines (running/, cleanup/,
 * cleaning/, tombstones/*, cache/, archives/, appevents/). It prints
 * `@watcher <pid> <paths> <sync folder>` when started, then one `@ev <EVENTS> <path>` line
 * per event (path relative to the root, a trailing slash on a watched
 * directory's own events; an overflow of the kernel's queue is `@ev Q_OVERFLOW `, printed
 * only when asked for with -e), and `@ended <code>` when inotifywait ends; on
 * stderr, "Watches established." once every watch is set, or why not (the
 * watch limit, fs.inotify.max_user_watches). A node without inotifywait says
 * `@nowatch <why>` and ends. Closing the channel ends the watcher: its stdin
 * reaches end of file, and inotifywait is killed then.
 */
export function watchScript(root: string): string {
  const folders = ['tombstones', ...entryFolders].map(shQuote).join(' ');
  return [
    'LC_ALL=C; export LC_ALL',
    `cd ${shQuote(root)} 2>/dev/null || { printf '@nowatch cannot open %s\\n' ${shQuote(root)}; exit 0; }`,
    "command -v inotifywait >/dev/null 2>&1 || { echo '@nowatch inotifywait is not installed on the node (Debian: inotify-tools)'; exit 0; }",
    'list=$(mktemp) || exit 1',
    // A private folder watched too: a file made in it (syncScript) comes back as an event after every earlier one.
    'sync=$(mktemp -d) || exit 1',
    '{',
    '  echo .',
    '  [ -d apps ] && echo apps',
    // Container directories and their data/: other folders below a container (services/, sys/) are never read.
    "  find apps -mindepth 1 -maxdepth 2 -type d \\( -path 'apps/*/data' -o ! -path 'apps/*/*' \\) ! -type l -print 2>/dev/null",
    `  for d in ${folders}; do [ -d "$d" ] && [ ! -L "$d" ] && echo "$d"; done`,
    '  echo "$sync"',
    '} > "$list"',
    // stdin kept for the reader below: an asynchronous list's stdin is otherwise /dev/null.
    'exec 3<&0',
    "inotifywait -m --format '@ev %e %w%f' -e create -e delete -e modify -e attrib -e move -e delete_self -e move_self -e unmount -e q_overflow --fromfile \"$list\" 3<&- </dev/null &",
    'w=$!',
    'echo "@watcher $w $(grep -c \'\' "$list") $sync"',
    // The channel closed (stdin at end of file): the watcher goes with it.
    '{ cat <&3 >/dev/null; kill "$w" 2>/dev/null; } >/dev/null 2>&1 &',
    'wait "$w"; r=$?',
    'rm -rf "$list" "$sync"',
    'echo "@ended $r"',
    'exit 0',
  ].join('\n');
}

/**
 * A file made in the watcher's private folder: its event comes after every
 * event of what happened on the node before (one inotify queue, in order), so
 * once it is seen the watcher has told everything up to now.
 */
export function syncScript(folder: string, n: number): string {
  if (!folder.startsWith('/') || !Number.isSafeInteger(n) || n < 1) throw new Error('not a watcher sync');
  return `rm -f -- ${shQuote(`${folder}/${n - 1}`)}; : > ${shQuote(`${folder}/${n}`)}`;
}

/** A scope as a path below the root: a container directory or one entry of a small folder (scoped-rescan.ts). */
function checked(scope: string): { folder: string; path: string } {
  const slash = scope.lastIndexOf('/');
  const [folder, name] = [scope.slice(0, slash), scope.slice(slash + 1)];
  if (name === '' || name === '.' || name === '..' || !(folder === 'apps' || (entryFolders as readonly string[]).includes(folder))) throw new Error(`not a folder a scoped rescan reads: ${scope}`);
  return { folder, path: scope };
}

/**
 * The listing lines (as rescanScript prints them) of these scopes only, with
 * the text of every file listed and the details of finished and aborted
 * events: what the backend replaces the scopes' held lines with.
 */
export function scopedScript(root: string, scopes: Iterable<string>): string {
  const by = new Map<string, string[]>();
  for (const scope of scopes) {
    const { folder, path } = checked(scope);
    by.set(folder, [...(by.get(folder) ?? []), path]);
  }
  // find with no path reads `.`: a folder with no scope is left out, never run with an empty list.
  const over = (folder: string, command: string) => {
    const paths = by.get(folder);
    return paths ? [`set -- ${paths.map(shQuote).join(' ')}`, command] : [];
  };
  const links = ['running', 'cleanup', 'cleaning'].flatMap((folder) => over(folder, "find \"$@\" -maxdepth 0 -type l -printf '@link %p %l\\n' 2>/dev/null"));
  const tombs = ['tombstones/running', 'tombstones/services'].flatMap((folder) => over(folder, "find \"$@\" -maxdepth 0 -type f ! -name '.*' -printf '@tomb %h/%f\\n' 2>/dev/null"));
  return [
    'LC_ALL=C; export LC_ALL',
    `cd ${shQuote(root)} 2>/dev/null || { printf '@error cannot open %s\\n' ${shQuote(root)}; exit 0; }`,
    'echo "@now $(date +%s.%N)"',
    'for d in apps running cleanup appevents; do [ -d "$d" ] || echo "@missing $d"; done',
    'tmp=$(mktemp) || exit 1',
    `trap 'rm -f "$tmp"' EXIT`,
    ...over('apps', [
      "find \"$@\" -maxdepth 0 -type d -printf '@app %f %T@\\n' 2>/dev/null",
      `${walkOne} 2>/dev/null > "$tmp"`,
      'cat "$tmp"',
      "sed -n 's/^@file \\(.*\\) [^ ]* [^ ]*$/\\1/p' \"$tmp\" | tr '\\n' '\\0' | xargs -0 -r grep -H '' 2>/dev/null",
    ].join('\n')),
    ...links,
    ...tombs,
    ...over('cache', "find \"$@\" -maxdepth 0 -type f ! -name '.*' -printf '@cache %f %T@\\n' 2>/dev/null"),
    ...over('archives', "find \"$@\" -maxdepth 0 -type f -name '*.sys.tar.gz' -printf '@archive %f %T@\\n' 2>/dev/null"),
    ...over('appevents', [
      "find \"$@\" -maxdepth 0 -type f ! -name '.*' -printf '@event %f\\n' 2>/dev/null",
      "find \"$@\" -maxdepth 0 -type f ! -name '.*' \\( -name '*,finished,*' -o -name '*,aborted,*' \\) -print0 2>/dev/null | xargs -0 -r grep -HZ '' 2>/dev/null",
    ].join('\n')),
    'exit 0',
  ].join('\n');
}
