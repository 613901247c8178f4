import { parse as parseYaml } from 'yaml';
import { shQuote } from '../remote/shell-script.js';
import { containerStatus, type ContainerStatus, type TombstoneExit } from './container-state.js';
import { parseInstance, parseUnique, type InstanceName } from '../../shared/contract/instance-name.js';
import { compareEvents, parseEventFile, type ContainerEvent } from './trace-events.js';

/**
 * One command per node reads a Treadmill node root whole: every container
 * directory, its finish files and their contents, the running/ and cleanup/
 * links, manifests and events changed since `since`. POSIX sh with find,
 * xargs and grep (GNU find's -printf and -newermt): no Python or Node on the
 * node, and no process per container, so 10,000 containers take one round
 * trip of a fraction of a second.
 */
export function scanScript(root: string, since: number): string {
  const newer = since > 0 ? `-newermt @${since.toFixed(3)}` : '';
  // One walk of apps/: container dirs, their flag files, and (into a list for grep) the files to read;
  // below a container only data/ is entered (services/, sys/ and logs can be large).
  const walk = [
    'find apps -mindepth 1 -maxdepth 3',
    "\\( -type d -path 'apps/*/*' ! -name data -prune \\)",
    "-o \\( -type d ! -path 'apps/*/*' -printf '@app %f %T@\\n' \\)",
    "-o \\( -type f \\( -name oom -o -name terminated -o -name down \\) -printf '@has %p\\n' \\)",
    // Finish files are read whole (up to 1 MiB), and their presence printed too: an empty file (grep prints nothing)
    // still counts, and a larger one is named, not read.
    `-o \\( -type f \\( -name exitinfo -o -name aborted \\) -printf '@has %p\\n' \\( -size -1024k -fprint0 "$list" -o -printf '@big %p\\n' \\) \\)`,
    `-o \\( -type f \\( -name app.json -o -name app.yml -o -name manifest.yml -o -name state.json -o -name state.yml \\) ${newer} -fprint0 "$list" \\)`,
  ].join(' ');
  return [
    `cd ${shQuote(root)} 2>/dev/null || { printf '@error cannot open %s\\n' ${shQuote(root)}; exit 0; }`,
    'echo "@now $(date +%s.%N)"',
    'for d in apps running cleanup appevents; do [ -d "$d" ] || echo "@missing $d"; done',
    'list=$(mktemp) || exit 1',
    `trap 'rm -f "$list"' EXIT`,
    `${walk} 2>/dev/null`,
    // grep -H '' prints every line of every file after its path: contents without a process per file.
    `xargs -0 -r grep -H '' < "$list" 2>/dev/null`,
    "find running cleanup cleaning -mindepth 1 -maxdepth 1 -type l -printf '@link %p %l\\n' 2>/dev/null",
    // monitor.py reads tombstones as <id>,<time>,<rc>,<sig> and skips dot files; cache/ holds placed instances
    // (eventmgr.py:_cache, its temp files dotted); archives/ the logs of finished containers (runtime.archive_logs).
    "find tombstones/running tombstones/services -mindepth 1 -maxdepth 1 -type f ! -name '.*' -printf '@tomb %h/%f\\n' 2>/dev/null",
    "find cache -mindepth 1 -maxdepth 1 -type f ! -name '.*' -printf '@cache %f %T@\\n' 2>/dev/null",
    "find archives -mindepth 1 -maxdepth 1 -type f -name '*.sys.tar.gz' -printf '@archive %f %T@\\n' 2>/dev/null",
    // Dot files are trace.post's temp files (events_publisher.py skips them) and bootstrap's .keepme.
    `find appevents -mindepth 1 -maxdepth 1 -type f ! -name '.*' ${newer} -printf '@event %f\\n' 2>/dev/null`,
    // A finished event holds its exit info, an aborted one its payload: read them, path and line split by a NUL.
    `find appevents -mindepth 1 -maxdepth 1 -type f ! -name '.*' \\( -name '*,finished,*' -o -name '*,aborted,*' \\) -size -64k ${newer} -print0 2>/dev/null | xargs -0 -r grep -HZ '' 2>/dev/null`,
    'exit 0',
  ].join('\n');
}

export interface Manifest {
  proid: string | null;
  environment: string | null;
  memory: string | null;
  cpu: string | null;
  disk: string | null;
  services: string[];
  environ: Record<string, string>;
  image: string | null;
}

export interface ScannedContainer {
  /** The unique name is null for an instance only placed (cache/) so far. */
  name: InstanceName & { unique: string | null };
  status: ContainerStatus;
  /** Null when unchanged since the last scan (manifests do not change once configured) or missing. */
  manifest: Manifest | null;
  /** Directory mtime (or the cache entry's, the archive's): the container's age. */
  changedAt: number;
  down: boolean;
  placed: boolean;
  archived: boolean;
}

export interface ScanResult {
  now: number;
  error: string | null;
  missing: string[];
  containers: ScannedContainer[];
  events: ContainerEvent[];
  /** What event files hold (a finish's exit info, an abort's payload), by file name. */
  eventDetails: Map<string, string>;
  /** Directories that are not containers, unreadable files, malformed events: reported, never fatal. */
  problems: string[];
}

function manifestOf(text: string, file: string, problems: string[]): Manifest | null {
  let raw: unknown;
  try {
    // app.json is JSON, and JSON.parse is many times faster than a YAML parser over 10,000 manifests.
    raw = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    problems.push(`${file}: not valid JSON or YAML (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  const text_ = (value: unknown) => (value === undefined || value === null ? null : String(value));
  const environ = Array.isArray(m.environ)
    ? Object.fromEntries((m.environ as { name?: unknown; value?: unknown }[]).filter((e) => typeof e?.name === 'string').map((e) => [String(e.name), String(e.value ?? '')]))
    : {};
  const services = Array.isArray(m.services) ? (m.services as { name?: unknown }[]).map((s) => String(s?.name ?? '?')) : [];
  return { proid: text_(m.proid), environment: text_(m.environment), memory: text_(m.memory), cpu: text_(m.cpu), disk: text_(m.disk), services, environ, image: text_(m.image) };
}

function cachedManifest(text: string, file: string, problems: string[], cache: ManifestCache | undefined): Manifest | null {
  if (!cache) return manifestOf(text, file, problems);
  if (cache.has(text)) return cache.get(text)!;
  const before = problems.length;
  const manifest = manifestOf(text, file, problems);
  // A malformed one is read again each time, so its problem is reported each time.
  if (problems.length === before) cache.set(text, manifest);
  return manifest;
}

/** monitor.py reads a tombstone's name with rsplit(',', 3): <id>,<time>,<rc>,<sig> (the id of a service's: <unique>,<service>). */
function parseTombstone(name: string): { id: string; exit: TombstoneExit } | null {
  const parts = name.split(',');
  if (parts.length < 4) return null;
  const [time, rc, signal] = parts.slice(-3).map(Number) as [number, number, number];
  if (![time, rc, signal].every(Number.isFinite)) return null;
  return { id: parts.slice(0, -3).join(','), exit: { time, rc, signal } };
}

/** A row with no container directory (placed, or archived and removed): nothing in apps/ to read a state from. */
const statusWithoutDirectory = (state: 'placed' | 'archived', summary: string): ContainerStatus => ({ state, summary, exit: null, aborted: null, cleanupPending: false, cleaning: false, tombstone: false, problems: [] });

export function parseScan(output: string): ScanResult {
  return parseScanLines(output.split('\n'));
}

/** Where a container's manifest may be, in the order it is looked for. */
const manifestFiles = ['data/app.json', 'app.json', 'app.yml', 'data/state.json', 'state.json', 'state.yml', 'data/manifest.yml', 'manifest.yml'];

/** A manifest's text → what was read from it: 10,000 unchanged manifests are not parsed again on each rescan. */
export type ManifestCache = Map<string, Manifest | null>;

/** The scan's lines (a full scan's output, or a node's listing held between rescans) read into containers. */
export function parseScanLines(input: Iterable<string>, manifests?: ManifestCache): ScanResult {
  const result: ScanResult = { now: 0, error: null, missing: [], containers: [], events: [], eventDetails: new Map(), problems: [] };
  const dirs = new Map<string, number>();
  const has = new Set<string>();
  const contents = new Map<string, string[]>();
  const links: { dir: 'running' | 'cleanup' | 'cleaning'; name: string; target: string }[] = [];
  const tombstones = new Map<string, TombstoneExit>();
  const serviceTombstones = new Map<string, TombstoneExit & { service: string }>();
  const cached = new Map<string, number>();
  const archives = new Map<string, number>();
  for (const line of input) {
    if (line.startsWith('apps/')) {
      const at = line.indexOf(':');
      const path = line.slice(0, at);
      const lines = contents.get(path);
      if (lines) lines.push(line.slice(at + 1));
      else contents.set(path, [line.slice(at + 1)]);
      continue;
    }
    if (line.startsWith('appevents/')) {
      // grep -HZ: the file, a NUL, the line (event names may hold ':').
      const at = line.indexOf('\0');
      const file = line.slice('appevents/'.length, at);
      const earlier = result.eventDetails.get(file);
      result.eventDetails.set(file, earlier === undefined ? line.slice(at + 1) : `${earlier}\n${line.slice(at + 1)}`);
      continue;
    }
    // The marker and what follows it, without splitting the whole line (10,000 containers are ~60,000 lines).
    const space = line.indexOf(' ');
    const marker = space < 0 ? line : line.slice(0, space);
    const arg = space < 0 ? '' : line.slice(space + 1);
    const rest = marker === '@app' || marker === '@link' || marker === '@cache' || marker === '@archive' ? arg.split(' ') : [];
    if (marker === '@now') result.now = Number(arg);
    else if (marker === '@error') result.error = arg;
    else if (marker === '@missing') result.missing.push(arg);
    else if (marker === '@app') dirs.set(rest[0]!, Number(rest[1]));
    else if (marker === '@has') has.add(arg);
    else if (marker === '@big') result.problems.push(`${arg}: larger than 1 MiB, not read (read as if empty)`);
    else if (marker === '@link') {
      const [path, target] = [rest[0]!, rest.slice(1).join(' ')];
      const [dir, name] = path.split('/') as ['running' | 'cleanup' | 'cleaning', string];
      links.push({ dir, name, target });
    } else if (marker === '@tomb') {
      const [, kind, name] = arg.split('/') as [string, string, string];
      const parsed = parseTombstone(name);
      if (!parsed) result.problems.push(`${arg}: not a tombstone name (<id>,<time>,<rc>,<signal>)`);
      else if (kind === 'running') tombstones.set(parsed.id, parsed.exit);
      else {
        const comma = parsed.id.lastIndexOf(',');
        if (comma < 0) result.problems.push(`${arg}: a service tombstone is named <unique>,<service>,<time>,<rc>,<signal>`);
        else serviceTombstones.set(parsed.id.slice(0, comma), { ...parsed.exit, service: parsed.id.slice(comma + 1) });
      }
    } else if (marker === '@cache') cached.set(rest[0]!, Number(rest[1]));
    else if (marker === '@archive') archives.set(rest[0]!.replace(/\.sys\.tar\.gz$/, ''), Number(rest[1]));
    else if (marker === '@event') {
      const parsed = parseEventFile(arg);
      if (parsed.ok) result.events.push(parsed.event);
      else result.problems.push(`appevents/${parsed.file}: ${parsed.problem}`);
    }
  }
  // By link path: 10,000 containers must not each search every link. Links point at <root>/apps/<unique>
  // (absolute, fs.symlink_safe) or ../apps/<unique>; cleaning/ links at cleanup_apps/<name>.
  const linked = new Map(links.map((l) => [`${l.dir}/${l.name}`, /(?:^|\/)(?:apps|cleanup_apps)\/([^/]+)\/*$/.exec(l.target)?.[1] ?? '']));
  const file = (unique: string, candidate: string) => {
    const path = `apps/${unique}/${candidate}`;
    const text = contents.get(path);
    return text ? text.join('\n') : has.has(path) ? '' : null;
  };
  const configuredInstances = new Set<string>();
  for (const [unique, changedAt] of dirs) {
    const name = parseUnique(unique);
    if (!name) {
      result.problems.push(`apps/${unique}: not a container name (proid.app-<instance>-<13-char id>, as Treadmill\u2019s schema allows)`);
      continue;
    }
    configuredInstances.add(name.instance);
    // Links are named by instance or by unique name (cleanup.py, appcfgmgr.py).
    const names = (dir: 'running' | 'cleanup' | 'cleaning') => [unique, name.instance].some((linkName) => linked.get(`${dir}/${linkName}`) === unique);
    const status = containerStatus({
      running: names('running'),
      cleanup: names('cleanup'),
      cleaning: [unique, name.instance].some((linkName) => linked.has(`cleaning/${linkName}`)),
      aborted: file(unique, 'data/aborted'),
      oom: has.has(`apps/${unique}/data/oom`),
      terminated: has.has(`apps/${unique}/data/terminated`),
      exitinfo: file(unique, 'data/exitinfo'),
      oldExitinfo: file(unique, 'exitinfo'),
      oldAborted: file(unique, 'aborted'),
      tombstone: names('running') ? (tombstones.get(name.instance) ?? null) : null,
      serviceTombstone: serviceTombstones.get(unique) ?? null,
    });
    status.problems = status.problems.map((problem) => `apps/${unique}: ${problem}`);
    result.problems.push(...status.problems);
    const manifestFile = manifestFiles.find((f) => contents.has(`apps/${unique}/${f}`));
    const manifest = manifestFile ? cachedManifest(file(unique, manifestFile)!, `apps/${unique}/${manifestFile}`, result.problems, manifests) : null;
    result.containers.push({ name, status, manifest, changedAt, down: has.has(`apps/${unique}/down`), placed: cached.has(name.instance), archived: archives.has(unique) });
  }
  for (const [instance, changedAt] of cached) {
    const name = parseInstance(instance);
    if (!name) result.problems.push(`cache/${instance}: not an instance name`);
    else if (!configuredInstances.has(instance)) {
      result.containers.push({ name: { ...name, unique: null }, status: statusWithoutDirectory('placed', 'placed, not configured yet'), manifest: null, changedAt, down: false, placed: true, archived: false });
    }
  }
  for (const [unique, changedAt] of archives) {
    const name = parseUnique(unique);
    if (!name) result.problems.push(`archives/${unique}.sys.tar.gz: not a container name`);
    else if (!dirs.has(unique)) {
      result.containers.push({ name, status: statusWithoutDirectory('archived', 'finished: logs archived, container removed'), manifest: null, changedAt, down: false, placed: false, archived: true });
    }
  }
  result.events.sort(compareEvents);
  return result;
}
