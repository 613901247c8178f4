import { chownSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ImageSpec } from '../../shared/contract/index.js';
import { cachedArtifacts } from './build-cache.js';
import { buildMetadata } from './build-metadata.js';

const hash = 'a'.repeat(64);

describe('cachedArtifacts', () => {
  let out: string;
  let spec: ImageSpec;

  const image = (name: string, size: number) => ({
    name,
    raw_size: size * 10,
    raw_md5: 'r'.repeat(32),
    raw_sha256: 'R'.repeat(64),
    container: 'gzip',
    container_name: `lab.${name}.img.gz`,
    container_size: size,
    container_md5: 'c'.repeat(32),
    container_sha256: 'C'.repeat(64),
  });

  const writeMetadata = (metadata: unknown) => writeFileSync(join(out, 'lab.yaml'), stringify(metadata));

  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'slipway-cache-'));
    spec = ImageSpec.parse({
      name: 'lab',
      suite: 'bookworm',
      images: [
        { name: 'root', size: '1G', mountPoint: '/' },
        { name: 'var', size: '512M', mountPoint: '/var' },
      ],
      output: { dir: out },
    });
    writeFileSync(join(out, 'lab.root.img.gz'), Buffer.alloc(1234));
    writeFileSync(join(out, 'lab.var.img.gz'), Buffer.alloc(56));
    writeMetadata({ name: 'lab', spec_sha256: hash, images: [image('root', 1234), image('var', 56)] });
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('hits when the metadata records this spec and every file has its size', () => {
    expect(cachedArtifacts(spec, hash)).toEqual({
      metadataPath: join(out, 'lab.yaml'),
      artifacts: [
        {
          image: 'root',
          path: join(out, 'lab.root.img.gz'),
          container: 'gzip',
          rawSize: 12340,
          rawMd5: 'r'.repeat(32),
          rawSha256: 'R'.repeat(64),
          containerSize: 1234,
          containerMd5: 'c'.repeat(32),
          containerSha256: 'C'.repeat(64),
        },
        expect.objectContaining({ image: 'var', path: join(out, 'lab.var.img.gz'), containerSize: 56 }),
      ],
    });
  });

  it('hits on the metadata the build itself writes', () => {
    const artifact = (name: string, size: number) => ({
      image: name,
      path: join(out, `lab.${name}.img.gz`),
      container: 'gzip' as const,
      rawSize: size * 10,
      rawMd5: 'r'.repeat(32),
      rawSha256: 'R'.repeat(64),
      containerSize: size,
      containerMd5: 'c'.repeat(32),
      containerSha256: 'C'.repeat(64),
    });
    const artifacts = [artifact('root', 1234), artifact('var', 56)];
    writeMetadata(buildMetadata({ spec, mirror: 'http://deb.debian.org/debian', specHash: hash, buildId: 'b1', builtAt: '2025-01-01T00:00:00.000Z', slipwayVersion: 't', artifacts, installed: [] }));
    expect(cachedArtifacts(spec, hash)?.artifacts).toEqual(artifacts);
  });

  it.runIf(process.getuid?.() === 0)('trusts no metadata another user could have planted (finding 2)', () => {
    const nobody = 65534;
    // Their own file in our folder, or a link to metadata elsewhere: not evidence of a build.
    chownSync(join(out, 'lab.yaml'), nobody, nobody);
    expect(cachedArtifacts(spec, hash)).toBeNull();
    chownSync(join(out, 'lab.yaml'), 0, 0);
    expect(cachedArtifacts(spec, hash)).not.toBeNull();
    renameSync(join(out, 'lab.yaml'), join(out, 'real.yaml'));
    symlinkSync(join(out, 'real.yaml'), join(out, 'lab.yaml'));
    expect(cachedArtifacts(spec, hash)).toBeNull();
    rmSync(join(out, 'lab.yaml'));
    renameSync(join(out, 'real.yaml'), join(out, 'lab.yaml'));
    // An artifact of theirs, or a whole folder they own (they could swap anything in it).
    chownSync(join(out, 'lab.var.img.gz'), nobody, nobody);
    expect(cachedArtifacts(spec, hash)).toBeNull();
    chownSync(join(out, 'lab.var.img.gz'), 0, 0);
    chownSync(out, nobody, nobody);
    expect(cachedArtifacts(spec, hash)).toBeNull();
    chownSync(out, 0, 0);
    expect(cachedArtifacts(spec, hash)).not.toBeNull();
  });

  it('misses for another spec hash', () => {
    expect(cachedArtifacts(spec, 'b'.repeat(64))).toBeNull();
  });

  it('misses when an artifact is gone', () => {
    rmSync(join(out, 'lab.var.img.gz'));
    expect(cachedArtifacts(spec, hash)).toBeNull();
  });

  it('misses when an artifact changed size', () => {
    truncateSync(join(out, 'lab.root.img.gz'), 1233);
    expect(cachedArtifacts(spec, hash)).toBeNull();
  });

  it('misses without metadata, or with metadata it cannot use', () => {
    rmSync(join(out, 'lab.yaml'));
    expect(cachedArtifacts(spec, hash)).toBeNull();
    writeFileSync(join(out, 'lab.yaml'), '');
    expect(cachedArtifacts(spec, hash)).toBeNull();
    writeFileSync(join(out, 'lab.yaml'), 'images: [unclosed');
    expect(cachedArtifacts(spec, hash)).toBeNull();
    writeMetadata({ spec_sha256: hash });
    expect(cachedArtifacts(spec, hash)).toBeNull();
  });

  it('misses when the metadata lists fewer images than the spec has', () => {
    writeMetadata({ spec_sha256: hash, images: [image('root', 1234)] });
    expect(cachedArtifacts(spec, hash)).toBeNull();
  });

  it('looks for <name>.yaml in the spec\'s output dir only', () => {
    rmSync(join(out, 'lab.yaml'));
    writeFileSync(join(out, 'other.yaml'), stringify({ spec_sha256: hash, images: [image('root', 1234), image('var', 56)] }));
    expect(cachedArtifacts(spec, hash)).toBeNull();
  });
});
