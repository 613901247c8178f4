import { describe, expect, it } from 'vitest';
import { ImageSpec, type Artifact } from '../../shared/contract/index.js';
import { buildMetadata, stepDurations, type MetadataInput } from './build-metadata.js';
import { initialSteps } from './build-pipeline.js';

const spec = ImageSpec.parse({
  name: 'lab-node',
  suite: 'bookworm',
  mirror: 'http://deb.debian.org/debian',
  repos: [{ name: 'lab-tools', uri: 'https://apt.lab.example/debian', suite: 'stable', priority: 900 }],
  packages: ['openssh-server', 'curl'],
  images: [
    { name: 'root', size: '2G', mountPoint: '/', label: 'root' },
    { name: 'var', size: '1G', fsType: 'ext3', mountPoint: '/var' },
  ],
  output: { dir: '/srv/images', container: 'gzip' },
});

const artifact = (image: string, n: number): Artifact => ({
  image,
  path: `/srv/images/lab-node.${image}.img.gz`,
  container: 'gzip',
  rawSize: 1000 * n,
  rawMd5: `${n}`.repeat(32),
  rawSha256: `${n}`.repeat(64),
  containerSize: 100 * n,
  containerMd5: `c${n}`.repeat(16),
  containerSha256: `c${n}`.repeat(32),
});

const input: MetadataInput = {
  spec,
  mirror: 'http://mirror.lab.example/debian',
  specHash: 'f'.repeat(64),
  buildId: '20250102-0a1b2c3d',
  builtAt: '2025-01-02T03:04:05.000Z',
  slipwayVersion: '0.1.0',
  artifacts: [artifact('root', 1), artifact('var', 2)],
  installed: [
    { name: 'curl', version: '7.88.1-10+deb12u5', arch: 'amd64' },
    { name: 'openssh-server', version: '1:9.2p1-2+deb12u3', arch: 'amd64' },
  ],
};

describe('buildMetadata', () => {
  const metadata = buildMetadata(input);
  const images = metadata.images as Record<string, unknown>[];

  it('names the build, its spec hash and where the base system came from', () => {
    expect(metadata).toMatchObject({
      name: 'lab-node',
      build_id: '20250102-0a1b2c3d',
      built_at: '2025-01-02T03:04:05.000Z',
      slipway_version: '0.1.0',
      spec_sha256: 'f'.repeat(64),
      os: { suite: 'bookworm', mirror: 'http://mirror.lab.example/debian', variant: 'minbase', arch: 'amd64' },
      packages: ['openssh-server', 'curl'],
    });
  });

  it('lists the base mirror first, then the spec\'s repos', () => {
    expect(metadata.repos).toEqual([
      { name: 'base', uri: 'http://mirror.lab.example/debian', suite: 'bookworm', section: 'main', priority: null },
      { name: 'lab-tools', uri: 'https://apt.lab.example/debian', suite: 'stable', section: 'main', priority: 900 },
    ]);
  });

  it('describes each image with fuel-agent\'s field names plus sha256', () => {
    expect(images).toHaveLength(2);
    expect(images[0]).toEqual({
      name: 'root',
      mount_point: '/',
      format: 'ext4',
      label: 'root',
      raw_size: 1000,
      raw_md5: '1'.repeat(32),
      raw_sha256: '1'.repeat(64),
      container: 'gzip',
      container_name: 'lab-node.root.img.gz',
      container_size: 100,
      container_md5: 'c1'.repeat(16),
      container_sha256: 'c1'.repeat(32),
    });
    expect(images[1]).toMatchObject({ name: 'var', mount_point: '/var', format: 'ext3', label: null, raw_size: 2000, container_name: 'lab-node.var.img.gz' });
  });

  it('has every field fuel-agent reads, for every image', () => {
    for (const image of images) {
      for (const field of ['raw_md5', 'raw_size', 'container_name', 'container_md5', 'container_size', 'container', 'format']) {
        expect(image[field], field).toBeDefined();
      }
    }
  });

  it('records the installed package manifest', () => {
    expect(metadata.installed_packages).toEqual([
      { name: 'curl', version: '7.88.1-10+deb12u5', arch: 'amd64' },
      { name: 'openssh-server', version: '1:9.2p1-2+deb12u3', arch: 'amd64' },
    ]);
  });

  it('has no images and no manifest when there is nothing to report', () => {
    const empty = buildMetadata({ ...input, artifacts: [], installed: [] });
    expect(empty.images).toEqual([]);
    expect(empty.installed_packages).toEqual([]);
  });

  it('records how long each finished step took, in pipeline order, the running and skipped ones left out', () => {
    const steps = initialSteps().map((step, index) =>
      index < 3 ? { ...step, status: 'done' as const, durationMs: 1000 * (index + 1) + 0.4 } : index === 3 ? { ...step, status: 'running' as const } : step,
    );
    const withSteps = buildMetadata({ ...input, steps });
    expect(withSteps.step_durations_ms).toEqual({ 'sparse-files': 1000, 'loop-devices': 2000, mkfs: 3000 });
    expect(Object.keys(withSteps.step_durations_ms as object)).toEqual(['sparse-files', 'loop-devices', 'mkfs']);
    expect(stepDurations([{ ...steps[4]!, status: 'skipped', durationMs: 5 }])).toEqual({});
    expect(metadata.step_durations_ms).toEqual({});
  });
});
