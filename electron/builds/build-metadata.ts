import type { Artifact, ImageSpec, StepState } from '../../shared/contract/index.js';
import type { InstalledPackage } from './dpkg-status.js';

export interface MetadataInput {
  spec: ImageSpec;
  mirror: string;
  specHash: string;
  buildId: string;
  builtAt: string;
  slipwayVersion: string;
  artifacts: Artifact[];
  installed: InstalledPackage[];
  /** The build's steps as they stand when the metadata is written (the last one, publish, still running). */
  steps?: readonly StepState[];
}

/**
 * Milliseconds per finished step, in pipeline order: where this build's time
 * went, so two builds (or two Slipway versions) compare step by step.
 */
export function stepDurations(steps: readonly StepState[]): Record<string, number> {
  const durations: Record<string, number> = {};
  for (const step of steps) if (step.status === 'done' && step.durationMs !== null) durations[step.id] = Math.round(step.durationMs);
  return durations;
}

/**
 * The metadata file beside the artifacts: fuel-agent's fields (repos, packages,
 * images with raw and container sums and sizes), plus sha256, the spec's hash
 * and the installed package manifest, so two builds can be diffed.
 */
export function buildMetadata(input: MetadataInput): Record<string, unknown> {
  const { spec } = input;
  return {
    name: spec.name,
    build_id: input.buildId,
    built_at: input.builtAt,
    slipway_version: input.slipwayVersion,
    spec_sha256: input.specHash,
    // Reproducible builds: the artifacts are the same bytes for every build of the spec; this file records the build.
    source_date_epoch: spec.sourceDateEpoch ?? null,
    os: { suite: spec.suite, mirror: input.mirror, variant: spec.variant, arch: spec.arch },
    repos: [{ name: 'base', uri: input.mirror, suite: spec.suite, section: 'main', priority: null }, ...spec.repos],
    packages: spec.packages,
    images: input.artifacts.map((artifact) => {
      const fs = spec.images.find((image) => image.name === artifact.image);
      return {
        name: artifact.image,
        mount_point: fs?.mountPoint,
        format: fs?.fsType,
        label: fs?.label ?? null,
        raw_size: artifact.rawSize,
        raw_md5: artifact.rawMd5,
        raw_sha256: artifact.rawSha256,
        container: artifact.container,
        container_name: artifact.path.split('/').at(-1),
        container_size: artifact.containerSize,
        container_md5: artifact.containerMd5,
        container_sha256: artifact.containerSha256,
      };
    }),
    step_durations_ms: stepDurations(input.steps ?? []),
    installed_packages: input.installed.map((pkg) => ({ name: pkg.name, version: pkg.version, arch: pkg.arch })),
  };
}
