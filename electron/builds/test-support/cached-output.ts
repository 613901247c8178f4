import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A one-image spec that names its mirror and arch, so its hash does not depend on the host running the test. */
export function oneImageSpec(outputDir: string, name = 'lab'): string {
  return stringify({
    name,
    suite: 'bookworm',
    mirror: 'http://deb.debian.org/debian',
    arch: 'amd64',
    images: [{ name: 'root', size: '1G', mountPoint: '/', label: 'root' }],
    output: { dir: outputDir, container: 'gzip' },
  });
}

/**
 * What an earlier build of the spec with this hash left in its output folder:
 * its one artifact and the metadata recording the hash, so the next build of
 * the same spec is a cache hit. Returns the artifact's path.
 */
export function writeCachedOutput(outputDir: string, specHash: string, name = 'lab'): string {
  const artifact = join(outputDir, `${name}.root.img.gz`);
  writeFileSync(artifact, Buffer.alloc(4096));
  const image = {
    name: 'root',
    raw_size: 1 << 30,
    raw_md5: 'r'.repeat(32),
    raw_sha256: 'R'.repeat(64),
    container: 'gzip',
    container_name: `${name}.root.img.gz`,
    container_size: 4096,
    container_md5: 'c'.repeat(32),
    container_sha256: 'C'.repeat(64),
  };
  writeFileSync(join(outputDir, `${name}.yaml`), stringify({ name, spec_sha256: specHash, images: [image] }));
  return artifact;
}
