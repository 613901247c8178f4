import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { walkSafeDirectory } from './safe-directory.js';
import { parse } from 'yaml';
import type { Artifact } from '../../shared/contract/index.js';

interface MetadataImage {
  name: string;
  raw_size: number;
  raw_md5: string;
  raw_sha256: string;
  container: 'gzip' | 'zstd' | 'raw';
  container_name: string;
  container_size: number;
  container_md5: string;
  container_sha256: string;
}

const maxMetadataBytes = 1 << 20;

/** Only root or the operator could have written it: anyone else's file is not evidence of a build. */
function trustedFile(stat: Stats, trusted: ReadonlySet<number>): boolean {
  return stat.isFile() && trusted.has(stat.uid) && (stat.mode & 0o022) === 0;
}

/** The metadata file, not through a link, a regular file of root or the operator, read with a cap. */
function readMetadata(path: string, trusted: ReadonlySet<number>): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!trustedFile(stat, trusted) || stat.size > maxMetadataBytes) throw new Error('untrusted');
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Where an earlier build of a spec left its artifacts: the output folder, the spec's name and image count, its hash. */
export interface CacheQuery {
  outputDir: string;
  name: string;
  imageCount: number;
  specHash: string;
  /** Trusted beside root: the operator (the backend's own user, or the user the root helper works for). */
  operatorUid: number;
}

/**
 * The artifacts of an earlier build of exactly this spec, if they are all still
 * in place with their recorded sizes; null means build. Trusted only in a
 * folder no one but root and the operator can change (the checks the helper
 * makes before it writes there), from files they own. The backend asks it of
 * this machine's folders; a build host's helper of that host's.
 */
export function cachedArtifacts(query: CacheQuery): { artifacts: Artifact[]; metadataPath: string } | null {
  const { outputDir, name, operatorUid } = query;
  const metadataPath = join(outputDir, `${name}.yaml`);
  const trusted = new Set([0, operatorUid]);
  try {
    walkSafeDirectory(outputDir, { trusted, operatorUid, create: false });
    const metadata = parse(readMetadata(metadataPath, trusted)) as { spec_sha256?: string; images?: MetadataImage[] };
    if (metadata.spec_sha256 !== query.specHash || !metadata.images) return null;
    const artifacts = metadata.images.map((image) => {
      const path = join(outputDir, image.container_name);
      const stat = lstatSync(path);
      if (!trustedFile(stat, trusted) || stat.size !== image.container_size) throw new Error('changed');
      return {
        image: image.name,
        path,
        container: image.container,
        rawSize: image.raw_size,
        rawMd5: image.raw_md5,
        rawSha256: image.raw_sha256,
        containerSize: image.container_size,
        containerMd5: image.container_md5,
        containerSha256: image.container_sha256,
      };
    });
    return artifacts.length === query.imageCount ? { artifacts, metadataPath } : null;
  } catch {
    return null;
  }
}
