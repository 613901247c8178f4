import type { Artifact, ImageSpec, StepState } from '../../shared/contract/index.js';
import type { ProcessIdentity } from '../process/process-identity.js';
import type { HelperOp, HelperResult, JobArgs } from '../helper/helper-protocol.js';
import type { Digest } from '../helper/system/artifact-pack.js';
import type { InstalledPackage } from './dpkg-status.js';

/** What the pipeline's steps share: the build's inputs and what each step leaves for the next. */
export type ImageFs = ImageSpec['images'][number];

export interface ImageWork {
  fs: ImageFs;
  file: string;
  /** Where it is mounted in the build's tree. */
  target: string;
  device: string | null;
  dest: string;
  sums: { raw: Digest; container: Digest } | null;
}

/** What a build is: the same for the run and for each step. */
export interface BuildInputs {
  buildId: string;
  spec: ImageSpec;
  mirror: string;
  specHash: string;
  version: string;
  owner: ProcessIdentity;
}

export interface BuildContext extends BuildInputs {
  now: () => Date;
  dir: string;
  root: string;
  cacheDir: string;
  images: ImageWork[];
  /** The file systems were copied from the base image cache: no mkfs, no debootstrap. */
  baseReused: boolean;
  mounts: string[];
  installed: InstalledPackage[];
  artifacts: Artifact[];
  metadataPath: string | null;
  /** The run's step states, live: the metadata records each finished step's duration. */
  steps: readonly StepState[];
  /** A helper operation on behalf of the running step: its output goes to the step's log, a cancel stops it. */
  call<O extends HelperOp>(op: O, args: JobArgs<O>): Promise<HelperResult<O>>;
  log(text: string): void;
}
