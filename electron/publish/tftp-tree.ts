import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TftpEntry } from '../../shared/contract/index.js';
import { bootEntryPath, rootImageName } from './tftp-publish.js';

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

/** Every purpose link of the tree `<root>/<arch>/<subarch>/<release>/<purpose>`, as the Publish view lists it. */
export function listTftpTree(root: string): TftpEntry[] {
  const entries: TftpEntry[] = [];
  for (const arch of dirsIn(root)) {
    for (const subarch of dirsIn(join(root, arch))) {
      for (const release of dirsIn(join(root, arch, subarch))) {
        const dir = join(root, arch, subarch, release);
        const versions = join(dir, '.versions');
        const kept = existsSync(versions) ? readdirSync(versions) : [];
        for (const purpose of readdirSync(dir).sort()) {
          if (purpose.startsWith('.') || purpose.includes('.tmp-') || !lstatSync(join(dir, purpose)).isSymbolicLink()) continue;
          const version = readlinkSync(join(dir, purpose)).replace(/^\.versions\//, '');
          const versionDir = join(versions, version);
          let bytes = 0;
          try {
            bytes = statSync(join(versionDir, 'kernel')).size + statSync(join(versionDir, 'initrd')).size;
          } catch {
            continue;
          }
          const rootBytes = existsSync(join(versionDir, rootImageName)) ? statSync(join(versionDir, rootImageName)).size : null;
          const retiredAt = (name: string) => Number(readFileSync(join(versions, name, 'retired-at'), 'utf8')) || 0;
          const older = kept
            .filter((name) => name !== version && name.startsWith(`${purpose}-`) && !name.includes('.tmp-') && existsSync(join(versions, name, 'retired-at')))
            .sort((a, b) => retiredAt(b) - retiredAt(a));
          const bootEntry = relative(root, bootEntryPath({ root, arch, release, purpose }, subarch));
          entries.push({ arch, subarch, release, purpose, version, bytes: bytes + (rootBytes ?? 0), rootBytes, retained: older.length, kept: older, bootEntry, ...origin(versionDir) });
        }
      }
    }
  }
  return entries;
}
