export interface InstalledPackage {
  name: string;
  version: string;
  arch: string;
}

/** Installed packages from a dpkg status file, sorted by name: what exactly is in the image. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    // "want ok state": held packages (hold ok installed) are installed too.
    if (!name || field('Status')?.split(' ')[2] !== 'installed') continue;
    packages.push({ name, version: field('Version') ?? '', arch: field('Architecture') ?? '' });
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name));
}
