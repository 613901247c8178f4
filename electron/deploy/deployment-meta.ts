import { basename } from 'node:path';
import { deployTargetText, maskedEnvironment, type DeployRequest } from '../../shared/contract/index.js';

/** The image a deploy starts from, as the service resolved it. */
export interface ResolvedImage {
  ref: string;
  path: string;
  buildId: string | null;
  specHash: string | null;
  /** Built on this build host: `path` is the host's, and the deploy runs there. */
  host?: string;
}

export interface MetaInput {
  id: string;
  request: DeployRequest;
  image: ResolvedImage;
  version: string;
  startedAt: string;
}

/**
 * `slipway/deployment.meta` inside the deployed tree (Baserock writes
 * `baserock/deployment.meta`): what the tree was made from, so a running
 * system can say where it came from. Secret-looking values never land in it.
 */
export function deploymentMeta(input: MetaInput): Record<string, unknown> {
  return {
    deployment_id: input.id,
    deployed_at: input.startedAt,
    slipway_version: input.version,
    image: input.image.ref,
    image_path: input.image.path,
    build_id: input.image.buildId,
    spec_sha256: input.image.specHash,
    extensions: input.request.extensions.map((path) => ({ name: basename(path), path })),
    environment: maskedEnvironment(input.request.env, input.request.secrets),
    target: deployTargetText(input.request.target),
  };
}
