import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TftpEntry } from '../../../shared/contract/index.js';
import { bootEntryPath, isVersionOf, rootImageName } from './tftp-publish.js';

function dirsIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'pxelinux.cfg')
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

function origin(versionDir: string): { publishedAt: string | null; source: string | null; kernelName: string | null } {
  try {
    const raw = JSON.parse(readFileSync(join(versionDir, 'origin.json'), 'utf8')) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return { publishedAt: text(raw.publishedAt), source: text(raw.source), kernelName: text(raw.kernelName) };
  } catch {
    return { publishedAt: null, source: null, kernelName: null };
  }
}

/** One purpose as it is now, or null when it is not a published purpose (a temp, a file, a half-removed version). */
function readEntry(root: string, where: { arch: string; subarch: string; release: string }, purpose: string, kept: readonly string[]): TftpEntry | null {
  const { arch, subarch, release } = where;
  const dir = join(root, arch, subarch, release);
  if (purpose.startsWith('.') || purpose.includes('.tmp-') || !lstatSync(join(dir, purpose)).isSymbolicLink()) return null;
  const versions = join(dir, '.versions');
  const version = readlinkSync(join(dir, purpose)).replace(/^\.versions\//, '');
  const versionDir = join(versions, version);
  const bytes = statSync(join(versionDir, 'kernel')).size + statSync(join(versionDir, 'initrd')).size;
  const rootBytes = existsSync(join(versionDir, rootImageName)) ? statSync(join(versionDir, rootImageName)).size : null;
  const retiredAt = (name: string) => Number(readFileSync(join(versions, name, 'retired-at'), 'utf8')) || 0;
  const older = kept.filter((name) => name !== version && isVersionOf(purpose, name) && existsSync(join(versions, name, 'retired-at'))).sort((a, b) => retiredAt(b) - retiredAt(a));
  const bootEntry = relative(root, bootEntryPath({ root, arch, release, purpose }, subarch));
  return { arch, subarch, release, purpose, version, bytes: bytes + (rootBytes ?? 0), rootBytes, retained: older.length, kept: older, bootEntry, ...origin(versionDir) };
}

/** Every purpose link of the tree `<root>/<arch>/<subarch>/<release>/<purpose>`, as the Publish view lists it. */
export function listTftpTree(root: string): TftpEntry[] {
  const entries: TftpEntry[] = [];
  for (const arch of dirsIn(root)) {
    for (const subarch of dirsIn(join(root, arch))) {
      for (const release of dirsIn(join(root, arch, subarch))) {
        const dir = join(root, arch, subarch, release);
        try {
          const kept = existsSync(join(dir, '.versions')) ? readdirSync(join(dir, '.versions')) : [];
          for (const purpose of readdirSync(dir).sort()) {
            // A publish, a prune or a rollback of another process may change what is read here: that purpose is read next time.
            try {
              const entry = readEntry(root, { arch, subarch, release }, purpose, kept);
              if (entry) entries.push(entry);
            } catch {
              continue;
            }
          }
        } catch {
          continue;
        }
      }
    }
  }
  return entries;
}
