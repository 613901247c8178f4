import type { Artifact, ImageSpec } from '../../shared/contract/index.js';
import { cachedArtifacts as lookUp } from '../lib/artifact-cache.js';

/** This machine's artifacts of an earlier build of exactly this spec (electron/lib/artifact-cache.ts); null means build. */
export function cachedArtifacts(spec: ImageSpec, hash: string): { artifacts: Artifact[]; metadataPath: string } | null {
  return lookUp({ outputDir: spec.output.dir, name: spec.name, imageCount: spec.images.length, specHash: hash, operatorUid: process.getuid?.() ?? 0 });
}
