import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Artifact, ImageSpec } from '../../shared/contract/index.js';

interface MetadataImage {
  name: string;
  raw_size: number;
  raw_md5: string;
  raw_sha256: string;
  container: 'gzip' | 'raw';
  container_name: string;
  container_size: number;
  container_md5: string;
  container_sha256: string;
}

/**
 * The artifacts of an earlier build of exactly this spec, if they are all still
 * in place with their recorded sizes; null means build.
 */
export function cachedArtifacts(spec: ImageSpec, hash: string): { artifacts: Artifact[]; metadataPath: string } | null {
  const metadataPath = join(spec.output.dir, `${spec.name}.yaml`);
  try {
    const metadata = parse(readFileSync(metadataPath, 'utf8')) as { spec_sha256?: string; images?: MetadataImage[] };
    if (metadata.spec_sha256 !== hash || !metadata.images) return null;
    const artifacts = metadata.images.map((image) => {
      const path = join(spec.output.dir, image.container_name);
      if (statSync(path).size !== image.container_size) throw new Error('changed');
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
    return artifacts.length === spec.images.length ? { artifacts, metadataPath } : null;
  } catch {
    return null;
  }
}
