import { createHash } from 'node:crypto';
import { shQuote } from '../remote/shell-script.js';

/**
 * A rescan that prints only what changed on the node since the scan the
 * backend holds (generation `base`), as listing lines prefixed `+` or `-`,
 * and the text of the files that are new or changed.
 *
 * 1. Find the state directory: `~/.cache/slipway/container-scans/<session>`,
 *    or `/tmp/slipway-<uid>/container-scans/<session>` when home is not
 *    writable; each directory 700, owned by us and not a symlink, or no state
 *    (every scan is then full, and says so).
 * 2. Its listing is used only when its generation is `base` (a scan whose
 *    answer the backend lost gives a full scan next, never a wrong delta).
 * 3. A new marker, dated a second back (file times move in clock ticks: a
 *    file written in the same tick as the marker is not missed).
 * 4. Container directories from one readdir of apps/ (their mtime in the
 *    line: an entry added or removed right below one changes it); data/
 *    directories newer than the old marker (an exitinfo, oom, aborted or
 *    terminated file appeared); new directories. Only those are walked; the
 *    lines of the others are carried from the old listing.
 * 5. Links, tombstones, cache, archives and events: one readdir each.
 * 6. `comm` of the old and new listings (sorted bytewise): `-` lines gone,
 *    `+` lines new; files whose `@file` line is new are read (grep -H).
 * 7. The new listing, generation and marker replace the old ones.
 * Files rewritten in place without a rename (Treadmill renames) are seen
 * when their directory next changes.
 */

/** A session's state directory name: this backend's session and the node root (one node may hold several roots). */
export function scanSession(session: string, root: string): string {
  if (!/^[a-z0-9]{6,32}$/.test(session)) throw new Error(`not a scan session id: ${session}`);
  return `${session}-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`;
}

// The per-container walk below apps/<unique>: only data/ is entered; flag files are noted, files to read are listed with
// their time and size (a new line for a changed file). Runs under `find "$@"` with the container paths as arguments.
export const walkOne = [
  'find "$@" -mindepth 1 -maxdepth 2',
  "\\( -type d ! -name data -prune \\)",
  "-o \\( -type f \\( -name oom -o -name terminated -o -name down \\) -printf '@has %p\\n' \\)",
  "-o \\( -type f \\( -name exitinfo -o -name aborted \\) -printf '@has %p\\n' \\( -size -1024k -printf '@file %p %T@ %s\\n' -o -printf '@big %p\\n' \\) \\)",
  "-o \\( -type f \\( -name app.json -o -name app.yml -o -name manifest.yml -o -name state.json -o -name state.yml \\) -printf '@file %p %T@ %s\\n' \\)",
].join(' ');

/**
 * `command` (which reads its paths from "$@") run over the paths listed in `list`, in up to 4 processes, each
 * writing to a file of its own in `outDir` (parallel writers to one stream can split a line): a full scan's walk of
 * 10,000 containers takes half the time on 2 cores. `outDir` holds at least one file (an empty one) so that its glob
 * always names a file. When a process could not be started or its file made (xargs exits 124 to 127), the files are
 * dropped and the paths walked again in one process, so a listing is never short of a part.
 */
function inParallel(command: string, list: string, outDir: string): string {
  const each = `o=$(mktemp "$0/part.XXXXXX") || exit 255; ${command} > "$o"`;
  const serial = `sh -c ${shQuote(command)} sh > "${outDir}/part.serial"`;
  return [
    `mkdir "${outDir}" && : > "${outDir}/part.none" || exit 1`,
    // Four parts of a long list; a short one (a warm rescan's few containers) in one process, as spawns cost more than it saves.
    `n=$(( ($(grep -c '' "${list}") + 3) / 4 )); p=4; [ "$n" -ge 50 ] || { n=200; p=1; }`,
    `tr '\\n' '\\0' < "${list}" | xargs -0 -r -n "$n" -P "$p" sh -c ${shQuote(each)} "${outDir}"`,
    `if [ $? -ge 124 ]; then rm -f "${outDir}"/part.?*; : > "${outDir}/part.none"; tr '\\n' '\\0' < "${list}" | xargs -0 -r ${serial}; fi`,
  ].join('\n');
}

/** The node's script: `base` is the generation the backend holds (0: none), `next` the one this scan writes. */
export function rescanScript(root: string, session: string, base: number, next: number): string {
  if (!Number.isSafeInteger(base) || !Number.isSafeInteger(next) || base < 0 || next <= 0) throw new Error('scan generations are whole numbers');
  return [
    'LC_ALL=C; export LC_ALL',
    'umask 077',
    `cd ${shQuote(root)} 2>/dev/null || { printf '@error cannot open %s\\n' ${shQuote(root)}; exit 0; }`,
    'echo "@now $(date +%s.%N)"',
    'for d in apps running cleanup appevents; do [ -d "$d" ] || echo "@missing $d"; done',
    // 1. The state directory, each level ours and private.
    'own() { mkdir -p -m 700 "$1" 2>/dev/null; [ -d "$1" ] && [ ! -L "$1" ] && [ -O "$1" ] && [ -w "$1" ] && chmod 700 "$1"; }',
    'st=',
    'if [ -n "${HOME:-}" ] && own "$HOME/.cache/slipway" && own "$HOME/.cache/slipway/container-scans"; then st=$HOME/.cache/slipway/container-scans',
    'elif own "/tmp/slipway-$(id -u)" && own "/tmp/slipway-$(id -u)/container-scans"; then st=/tmp/slipway-$(id -u)/container-scans; fi',
    // Sessions of consoles gone for a day are removed.
    'if [ -n "$st" ]; then find "$st" -mindepth 1 -maxdepth 1 -type d -mtime +1 -exec rm -rf {} + 2>/dev/null; fi',
    `if [ -n "$st" ] && own "$st"/${shQuote(session)}; then st=$st/${shQuote(session)}; else st=; fi`,
    'tmp=$(mktemp -d) || exit 1',
    `trap 'rm -rf "$tmp"' EXIT`,
    // 2. The old listing, if it is the one the backend holds.
    'mode=full',
    `if [ -n "$st" ] && [ -f "$st/listing" ] && [ -f "$st/marker" ] && [ "$(cat "$st/gen" 2>/dev/null)" = ${base} ]; then mode=delta; fi`,
    `if [ -n "$st" ]; then echo "@state $mode ${base} ${next}"; else echo "@state none ${base} ${next}"; fi`,
    // 3. The new marker, a second back.
    ': > "$tmp/marker"; touch -d "@$(($(date +%s) - 1))" "$tmp/marker"',
    // 4. Container directories, and which to walk.
    "find apps -mindepth 1 -maxdepth 1 -type d -printf '@app %f %T@\\n' 2>/dev/null | sort > \"$tmp/apps\"",
    'if [ $mode = delta ]; then',
    "  { grep '^@app ' \"$st/listing\" | comm -13 - \"$tmp/apps\" | cut -d' ' -f2",
    "    m=$st/marker; export m",
    "    find apps -mindepth 1 -maxdepth 1 -type d -printf '%p/data\\0' 2>/dev/null | xargs -0 -r sh -c 'find \"$@\" -maxdepth 0 -newer \"$m\" -printf \"%h\\n\" 2>/dev/null' sh | cut -d/ -f2",
    '  } | sort -u > "$tmp/walk"',
    // Lines of containers not walked come from the old listing (by file name: the list walked may be empty).
    "  awk 'FILENAME == ARGV[1] { w[\"apps/\" $0] = 1; next } /^@(has|file|big) / { n = split($2, p, \"/\"); if (!((p[1] \"/\" p[2]) in w)) print }' \"$tmp/walk\" \"$st/listing\" > \"$tmp/kept\"",
    'else',
    "  cut -d' ' -f2 \"$tmp/apps\" > \"$tmp/walk\"; : > \"$tmp/kept\"",
    'fi',
    'sed \'s#^#apps/#\' "$tmp/walk" > "$tmp/walkpaths"',
    inParallel(`${walkOne} 2>/dev/null`, '$tmp/walkpaths', '$tmp/walked'),
    // 5. The small directories, whole.
    '{',
    "  find running cleanup cleaning -mindepth 1 -maxdepth 1 -type l -printf '@link %p %l\\n' 2>/dev/null",
    "  find tombstones/running tombstones/services -mindepth 1 -maxdepth 1 -type f ! -name '.*' -printf '@tomb %h/%f\\n' 2>/dev/null",
    "  find cache -mindepth 1 -maxdepth 1 -type f ! -name '.*' -printf '@cache %f %T@\\n' 2>/dev/null",
    "  find archives -mindepth 1 -maxdepth 1 -type f -name '*.sys.tar.gz' -printf '@archive %f %T@\\n' 2>/dev/null",
    "  find appevents -mindepth 1 -maxdepth 1 -type f ! -name '.*' -printf '@event %f\\n' 2>/dev/null",
    '} > "$tmp/rest"',
    'sort -u "$tmp/apps" "$tmp/kept" "$tmp/walked"/part.* "$tmp/rest" > "$tmp/listing"',
    // 6. What changed, and the text of files new or changed.
    'if [ $mode = delta ]; then',
    "  comm -23 \"$st/listing\" \"$tmp/listing\" | sed 's/^/-/'",
    '  comm -13 "$st/listing" "$tmp/listing" > "$tmp/new"',
    'else cp "$tmp/listing" "$tmp/new"; fi',
    "sed 's/^/+/' \"$tmp/new\"",
    // Each file's lines come out together (one grep per file list), which is all the reader needs of their order.
    "sed -n 's/^@file \\(.*\\) [^ ]* [^ ]*$/\\1/p' \"$tmp/new\" > \"$tmp/read\"",
    inParallel(`grep -H '' "$@" 2>/dev/null`, '$tmp/read', '$tmp/texts'),
    'cat "$tmp/texts"/part.*',
    // A finished event holds its exit info, an aborted one its payload: path and line split by a NUL.
    "sed -n 's#^@event \\(.*,\\(finished\\|aborted\\),.*\\)$#appevents/\\1#p' \"$tmp/new\" | tr '\\n' '\\0' | xargs -0 -r grep -HZ '' 2>/dev/null",
    // 7. Kept for the next scan (the generation removed first and written last: a scan cut short leaves none, so a full scan next).
    `if [ -n "$st" ]; then rm -f "$st/gen" && mv "$tmp/listing" "$st/listing" && mv "$tmp/marker" "$st/marker" && echo ${next} > "$st/gen.new" && mv "$st/gen.new" "$st/gen"; fi`,
    'exit 0',
  ].join('\n');
}
