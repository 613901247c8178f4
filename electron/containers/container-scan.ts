import { parse as parseYaml } from 'yaml';
import { shQuote } from '../remote/shell-script.js';
import { containerStatus, type ContainerStatus } from './container-state.js';
import { parseUnique, type UniqueName } from './instance-name.js';
import { parseEventFile, type ContainerEvent } from './trace-events.js';

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
    `-o \\( -type f \\( -name exitinfo -o -name aborted \\) -fprint0 "$list" \\)`,
    `-o \\( -type f \\( -name app.json -o -name app.yml -o -name manifest.yml \\) ${newer} -fprint0 "$list" \\)`,
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
    "find running cleanup -mindepth 1 -maxdepth 1 -type l -printf '@link %p %l\\n' 2>/dev/null",
    `find appevents -mindepth 1 -maxdepth 1 -type f ${newer} -printf '@event %f\\n' 2>/dev/null`,
    'exit 0',
  ].join('\n');
}

const eventRank: Record<ContainerEvent['type'], number> = {
  scheduled: 0, pending: 1, pending_delete: 1, configured: 2, service_running: 3, service_exited: 4, killed: 5, aborted: 5, finished: 5, deleted: 6,
};

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
  name: UniqueName;
  status: ContainerStatus;
  /** Null when unchanged since the last scan (manifests do not change once configured) or missing. */
  manifest: Manifest | null;
  /** Directory mtime: the container's age. */
  changedAt: number;
  down: boolean;
}

export interface ScanResult {
  now: number;
  error: string | null;
  missing: string[];
  containers: ScannedContainer[];
  events: ContainerEvent[];
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

export function parseScan(output: string): ScanResult {
  const result: ScanResult = { now: 0, error: null, missing: [], containers: [], events: [], problems: [] };
  const dirs = new Map<string, number>();
  const has = new Set<string>();
  const contents = new Map<string, string[]>();
  const links: { dir: 'running' | 'cleanup'; name: string; target: string }[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith('apps/')) {
      const at = line.indexOf(':');
      const path = line.slice(0, at);
      const lines = contents.get(path);
      if (lines) lines.push(line.slice(at + 1));
      else contents.set(path, [line.slice(at + 1)]);
      continue;
    }
    const [marker, ...rest] = line.split(' ');
    const arg = rest.join(' ');
    if (marker === '@now') result.now = Number(arg);
    else if (marker === '@error') result.error = arg;
    else if (marker === '@missing') result.missing.push(arg);
    else if (marker === '@app') dirs.set(rest[0]!, Number(rest[1]));
    else if (marker === '@has') has.add(arg);
    else if (marker === '@link') {
      const [path, target] = [rest[0]!, rest.slice(1).join(' ')];
      const [dir, name] = path.split('/') as ['running' | 'cleanup', string];
      links.push({ dir, name, target });
    } else if (marker === '@event') {
      const parsed = parseEventFile(arg);
      if (parsed.ok) result.events.push(parsed.event);
      else result.problems.push(`appevents/${parsed.file}: ${parsed.problem}`);
    }
  }
  // By link path: 10,000 containers must not each search every link.
  const linked = new Map(links.map((l) => [`${l.dir}/${l.name}`, /(?:^|\/)apps\/([^/]+)\/*$/.exec(l.target)?.[1] ?? '']));
  const file = (unique: string, ...candidates: string[]) => {
    for (const candidate of candidates) {
      const lines = contents.get(`apps/${unique}/${candidate}`);
      if (lines) return lines.join('\n');
    }
    return null;
  };
  for (const [unique, changedAt] of dirs) {
    const name = parseUnique(unique);
    if (!name) {
      result.problems.push(`apps/${unique}: not a container name (proid.app-<instance>-<13-char id>)`);
      continue;
    }
    // Links may be named by instance or by unique name, and point at ../apps/<unique> or an absolute path.
    const names = (dir: 'running' | 'cleanup') => [unique, name.instance].some((linkName) => linked.get(`${dir}/${linkName}`) === unique);
    const status = containerStatus({
      running: names('running'),
      cleanup: names('cleanup'),
      aborted: file(unique, 'data/aborted'),
      oom: has.has(`apps/${unique}/data/oom`),
      terminated: has.has(`apps/${unique}/data/terminated`),
      exitinfo: file(unique, 'data/exitinfo', 'exitinfo'),
    });
    status.problems = status.problems.map((problem) => `apps/${unique}: ${problem}`);
    result.problems.push(...status.problems);
    const manifestFile = ['data/app.json', 'app.yml', 'data/manifest.yml'].find((f) => contents.has(`apps/${unique}/${f}`));
    const manifest = manifestFile ? manifestOf(file(unique, manifestFile)!, `apps/${unique}/${manifestFile}`, result.problems) : null;
    result.containers.push({ name, status, manifest, changedAt, down: has.has(`apps/${unique}/down`) });
  }
  // Events of one moment (a finish posts two) in the order they happen.
  result.events.sort((a, b) => a.time - b.time || eventRank[a.type] - eventRank[b.type]);
  return result;
}
