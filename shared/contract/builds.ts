import { z } from 'zod';
import { logBatchSchema } from './log-batch.js';
import { ExpectedStepMs } from '../jobs/step-estimate.js';
import { command } from './define.js';
import { documentText } from './limits.js';
import { NodeName } from './node-name.js';

/** The pipeline's named steps, in order: fuel-agent's do_build_image, one for one. */
export const buildSteps = [
  { id: 'sparse-files', label: 'Create sparse image files' },
  { id: 'loop-devices', label: 'Attach free loop devices' },
  { id: 'mkfs', label: 'Make file systems' },
  { id: 'chroot-dir', label: 'Create chroot directory' },
  { id: 'mount', label: 'Mount file systems (shallowest first)' },
  { id: 'debootstrap', label: 'Install base system' },
  { id: 'install-packages', label: 'Configure apt and install packages' },
  { id: 'post-install', label: 'Configure the system' },
  { id: 'unmount', label: 'Stop chrooted processes and unmount' },
  { id: 'detach', label: 'Detach loop devices' },
  { id: 'shrink', label: 'Shrink file systems and files' },
  { id: 'compress', label: 'Compress' },
  { id: 'publish', label: 'Move into place, checksums and metadata' },
] as const;

export const StepId = z.enum(buildSteps.map((s) => s.id) as [(typeof buildSteps)[number]['id'], ...(typeof buildSteps)[number]['id'][]]);
export type StepId = z.infer<typeof StepId>;

/** `cancelled`: the step that was running when the operator cancelled (not a failure: no red cross). */
export const StepStatus = z.enum(['pending', 'running', 'done', 'failed', 'cancelled', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepProgress = z.object({ done: z.number().int().nonnegative(), total: z.number().int().positive() });
export type StepProgress = z.infer<typeof StepProgress>;

export const StepState = z.object({
  id: StepId,
  label: z.string(),
  status: StepStatus,
  startedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  /** The step's latest progress line, or why it failed or was skipped. */
  message: z.string().nullable(),
  /** Where the tool itself counts its work (debootstrap's and apt's packages): how far it is. */
  progress: StepProgress.nullish(),
});
export type StepState = z.infer<typeof StepState>;

export const BuildStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled']);
export type BuildStatus = z.infer<typeof BuildStatus>;

export const Artifact = z.object({
  image: z.string(),
  path: z.string(),
  container: z.enum(['gzip', 'zstd', 'raw']),
  rawSize: z.number().int().nonnegative(),
  rawMd5: z.string(),
  rawSha256: z.string(),
  containerSize: z.number().int().nonnegative(),
  containerMd5: z.string(),
  containerSha256: z.string(),
});
export type Artifact = z.infer<typeof Artifact>;

export const BuildSummary = z.object({
  id: z.string(),
  name: z.string(),
  specHash: z.string(),
  status: BuildStatus,
  cacheHit: z.boolean(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  failedStep: StepId.nullable(),
  error: z.string().nullable(),
  artifacts: z.array(Artifact),
  metadataPath: z.string().nullable(),
  /** The build host (an inventory node) it runs on, `any` until one is free; absent: this machine. Its paths are that host's. */
  host: z.string().optional(),
  /** Waiting for a slot on its build host: 1 is next. */
  queuePosition: z.number().int().positive().optional(),
});
export type BuildSummary = z.infer<typeof BuildSummary>;

export const LogLine = z.object({
  /** Line number within the build, from 0: the log viewer pages by it. */
  n: z.number().int().nonnegative(),
  step: StepId.nullable(),
  stream: z.enum(['out', 'err', 'info']),
  text: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export const BuildDetail = z.object({
  summary: BuildSummary,
  steps: z.array(StepState),
  logTotal: z.number().int().nonnegative(),
  /** The spec as the operator wrote it (YAML), to rebuild or edit. */
  specText: z.string(),
  /** Each step's usual duration in earlier builds (of this spec where there are some): the time-left estimate. */
  expectedStepMs: ExpectedStepMs.nullish(),
});
export type BuildDetail = z.infer<typeof BuildDetail>;

export const SpecProblemShape = z.object({ field: z.string(), message: z.string() });

export const BuildDefaults = z.object({
  mirror: z.string().nullable(),
  arch: z.string(),
  outputDir: z.string(),
  workspace: z.string(),
  exampleSpec: z.string(),
});
export type BuildDefaults = z.infer<typeof BuildDefaults>;

/** One line of an image's installed-package manifest (dpkg's status: name, version, architecture). */
export const InstalledPackage = z.object({ name: z.string(), version: z.string(), arch: z.string() });
export type InstalledPackage = z.infer<typeof InstalledPackage>;

/** Two builds' manifests side by side, as DIB and mkosi users diff them. */
export const ManifestDiff = z.object({
  from: z.string(),
  to: z.string(),
  added: z.array(InstalledPackage),
  removed: z.array(InstalledPackage),
  changed: z.array(z.object({ name: z.string(), arch: z.string(), from: z.string(), to: z.string() })),
  unchanged: z.number().int().nonnegative(),
});
export type ManifestDiff = z.infer<typeof ManifestDiff>;

/** One file a fetch brought here: resumed from byte `resumedFrom`; `sha256` checked against the build's record (null: a metadata file, which has none). */
export const FetchedFile = z.object({
  name: z.string(),
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  resumedFrom: z.number().int().nonnegative(),
  sha256: z.string().nullable(),
  /** Already here with the right sha256: nothing was copied. */
  present: z.boolean(),
});
export type FetchedFile = z.infer<typeof FetchedFile>;

export const buildCommands = {
  'builds.defaults': command(z.object({}).strict(), BuildDefaults),
  /** Validates a YAML spec with this host's defaults filled in; never starts anything. */
  'builds.validate': command(
    z.object({ specText: documentText }).strict(),
    z.object({ problems: z.array(SpecProblemShape), specHash: z.string().nullable() }),
  ),
  'builds.list': command(z.object({}).strict(), z.array(BuildSummary)),
  'builds.get': command(z.object({ id: z.string() }).strict(), BuildDetail),
  /** host: an inventory node labelled build-host where the build runs, or `any` (the first free one); absent: this machine. */
  'builds.start': command(z.object({ specText: documentText, host: NodeName.optional() }).strict(), z.object({ id: z.string(), cacheHit: z.boolean() })),
  'builds.cancel': command(z.object({ id: z.string() }).strict(), z.object({ cancelled: z.boolean() })),
  /** A page of a build's log, for a viewer that shows hundreds of thousands of lines. */
  'builds.logs': command(
    z.object({ id: z.string(), from: z.number().int().nonnegative(), count: z.number().int().positive().max(5_000) }).strict(),
    z.object({ lines: z.array(LogLine), total: z.number().int().nonnegative() }),
  ),
  /** What changed in the installed packages from one build to another. */
  'builds.diff': command(z.object({ from: z.string(), to: z.string() }).strict(), ManifestDiff),
  /**
   * A build host's artifacts (and metadata) copied into a folder here over
   * SFTP: a partial copy goes on where it stopped, each artifact is checked
   * against its sha256 before it takes its name. Progress: builds.fetchProgress.
   */
  'builds.fetch': command(z.object({ id: z.string().max(200), to: z.string().min(1).max(4096) }).strict(), z.object({ files: z.array(FetchedFile) })),
};

export const buildEvents = {
  'builds.started': BuildDetail,
  'builds.step': z.object({ id: z.string(), step: StepState }),
  /** Log lines in batches, never one event a line, as columns (log-batch.ts). */
  'builds.log': logBatchSchema(StepId),
  'builds.finished': BuildSummary,
  /** A fetch's progress: bytes of `file` here so far, of `total`. */
  'builds.fetchProgress': z.object({ id: z.string(), file: z.string(), done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  /** What the journal recovery cleaned at start (or on `slipway build --cleanup`). */
  'builds.recovered': z.object({ cleaned: z.array(z.string()) }),
};
