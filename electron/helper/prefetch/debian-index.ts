/**
 * Debian's archive indexes, read as debootstrap reads them: the signed Release
 * file's SHA256 list, and the Packages index's fields for choosing and fetching
 * .debs. Pure text in, plain values out.
 */

export interface IndexEntry {
  sha256: string;
  size: number;
}

/** `SHA256:` of a Release/InRelease file: path → checksum and size. */
export function releaseChecksums(release: string): Map<string, IndexEntry> {
  const entries = new Map<string, IndexEntry>();
  let inSha256 = false;
  for (const line of release.split('\n')) {
    if (/^\S/.test(line)) inSha256 = line.startsWith('SHA256:');
    else if (inSha256) {
      const [sha256, size, path] = line.trim().split(/\s+/);
      if (sha256 && /^[0-9a-f]{64}$/.test(sha256) && size && /^\d+$/.test(size) && path) entries.set(path, { sha256, size: Number(size) });
    }
  }
  return entries;
}

export interface Package {
  name: string;
  version: string;
  arch: string;
  priority: string;
  filename: string;
  size: number;
  sha256: string;
  /** Depends and Pre-Depends as debootstrap reads them: the first alternative, no version, no architecture qualifier. */
  depends: string[];
}

/** debootstrap's reading of a dependency field (functions: pkgdetails GETDEPS). */
export function firstAlternatives(field: string): string[] {
  return field
    .split(/\s*,\s*/)
    .map((dep) => dep.replace(/\s*[|].*$/, '').replace(/\s*[(].*[)]\s*/, '').replace(/:.*/, '').trim())
    .filter((name) => name !== '');
}

const wantedFields = new Set(['Package', 'Version', 'Architecture', 'Priority', 'Filename', 'Size', 'SHA256', 'Depends', 'Pre-Depends']);

/** A Packages index: the first stanza of each name, as debootstrap's pkgdetails takes it. One pass over the lines (the index is ~45 MB). */
export function parsePackages(text: string): Map<string, Package> {
  const packages = new Map<string, Package>();
  let fields = new Map<string, string>();
  const finish = () => {
    const name = fields.get('Package');
    const [version, filename, sha256, size] = ['Version', 'Filename', 'SHA256', 'Size'].map((f) => fields.get(f));
    if (name && !packages.has(name) && version && filename && sha256 && size && /^\d+$/.test(size)) {
      const depends = [...firstAlternatives(fields.get('Pre-Depends') ?? ''), ...firstAlternatives(fields.get('Depends') ?? '')];
      packages.set(name, { name, version, arch: fields.get('Architecture') ?? '', priority: fields.get('Priority') ?? '', filename, size: Number(size), sha256, depends });
    }
    fields = new Map();
  };
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const colon = text.indexOf(':', start);
    if (end === start) finish();
    else if (colon > start && colon < end && text.charCodeAt(start) !== 32) {
      const name = text.slice(start, colon);
      if (wantedFields.has(name)) fields.set(name, text.slice(colon + 1, end).trim());
    }
    start = end + 1;
  }
  finish();
  return packages;
}

const beforeMergedUsr = new Set(['etch', 'lenny', 'squeeze', 'wheezy', 'jessie', 'stretch', 'buster', 'bullseye']);

/** bookworm and later: /usr merged from the start, with usr-is-merged rather than the usrmerge converter. */
export const mergesUsr = (codename: string): boolean => !beforeMergedUsr.has(codename.replace(/-.*/, ''));

/**
 * The packages debootstrap installs for a variant (scripts/debian-common
 * work_out_debs, then functions resolve_deps): every `Priority: required`
 * package plus the variant's base, closed over dependencies that name real
 * packages (a virtual one resolves to nothing, as in debootstrap). From
 * bookworm on, usrmerge is never pulled in; bookworm adds usr-is-merged.
 */
export function debootstrapSet(packages: Map<string, Package>, variant: 'minbase' | 'buildd' | 'standard', codename: string): Package[] {
  const base = variant === 'minbase' ? ['apt'] : variant === 'buildd' ? ['apt', 'build-essential'] : [...packages.values()].filter((p) => p.priority === 'important').map((p) => p.name);
  const merged = mergesUsr(codename);
  const wanted = [...[...packages.values()].filter((p) => p.priority === 'required').map((p) => p.name), ...base, ...(codename === 'bookworm' ? ['usr-is-merged'] : [])];
  const chosen = new Map<string, Package>();
  while (wanted.length > 0) {
    const pkg = packages.get(wanted.pop()!);
    if (!pkg || chosen.has(pkg.name) || (merged && pkg.name === 'usrmerge')) continue;
    chosen.set(pkg.name, pkg);
    wanted.push(...pkg.depends);
  }
  return [...chosen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The name debootstrap gives a .deb in its --cache-dir (functions download_debs: `sed 's/:/%3a/'`, the first colon). */
export function cacheName(pkg: Pick<Package, 'name' | 'version' | 'arch'>): string {
  return `${pkg.name}_${pkg.version}_${pkg.arch}.deb`.replace(':', '%3a');
}
