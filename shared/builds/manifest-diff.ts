import type { InstalledPackage, ManifestDiff } from '../contract/builds.js';

const keyOf = (pkg: InstalledPackage) => `${pkg.name}:${pkg.arch}`;
const byName = (a: { name: string; arch: string }, b: { name: string; arch: string }) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch);

/** Added, removed and version-changed packages from one manifest to another (a package is its name and architecture). */
export function diffManifests(from: string, to: string, before: readonly InstalledPackage[], after: readonly InstalledPackage[]): ManifestDiff {
  const old = new Map(before.map((pkg) => [keyOf(pkg), pkg]));
  const now = new Map(after.map((pkg) => [keyOf(pkg), pkg]));
  const added = [...now.values()].filter((pkg) => !old.has(keyOf(pkg))).sort(byName);
  const removed = [...old.values()].filter((pkg) => !now.has(keyOf(pkg))).sort(byName);
  const changed = [...now.values()]
    .flatMap((pkg) => {
      const earlier = old.get(keyOf(pkg));
      return earlier && earlier.version !== pkg.version ? [{ name: pkg.name, arch: pkg.arch, from: earlier.version, to: pkg.version }] : [];
    })
    .sort(byName);
  const unchanged = [...now.values()].filter((pkg) => old.get(keyOf(pkg))?.version === pkg.version).length;
  return { from, to, added, removed, changed, unchanged };
}
