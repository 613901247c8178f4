import { z } from 'zod';
import { logBatchSchema } from './log-batch.js';
import { ExpectedStepMs } from '../jobs/step-estimate.js';
import { command } from './define.js';
import { StepStatus } from './builds.js';

/** What an overlay deploy produces from the merged tree (Baserock's write extensions). */
export const DeployTarget = z.union([
  z.object({ kind: z.literal('tar'), path: z.string().refine((p) => p.startsWith('/'), 'must be an absolute path') }),
  z.object({ kind: z.literal('rawdisk'), path: z.string().refine((p) => p.startsWith('/'), 'must be an absolute path') }),
  z.object({
    kind: z.literal('ssh-rsync'),
    node: z.string().min(1),
    path: z.string().regex(/^\/[A-Za-z0-9._+/-]*$/, 'must be an absolute path of plain names'),
  }),
]);
export type DeployTarget = z.infer<typeof DeployTarget>;

/** `tar:FILE`, `rawdisk:FILE` or `ssh-rsync:NODE:PATH`, as the CLI and the form take it. */
export function parseDeployTarget(text: string): { ok: true; target: DeployTarget } | { ok: false; message: string } {
  const [kind, ...rest] = text.split(':');
  const raw =
    kind === 'ssh-rsync' ? { kind, node: rest[0] ?? '', path: rest.slice(1).join(':') } : kind === 'tar' || kind === 'rawdisk' ? { kind, path: rest.join(':') } : null;
  if (!raw) return { ok: false, message: `"${text}": the target must be tar:FILE, rawdisk:FILE or ssh-rsync:NODE:PATH` };
  const parsed = DeployTarget.safeParse(raw);
  return parsed.success ? { ok: true, target: parsed.data } : { ok: false, message: `"${text}": ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}` };
}

export function deployTargetText(target: DeployTarget): string {
  return target.kind === 'ssh-rsync' ? `ssh-rsync:${target.node}:${target.path}` : `${target.kind}:${target.path}`;
}

/** Where a deploy wrote, as the operator reads it: its target, and the build host it ran on if not here. */
export function deployWhereText(summary: { target: string; host?: string | undefined }): string {
  return summary.host === undefined ? summary.target : `${summary.target} on ${summary.host}`;
}

/**
 * Environment names that look like they hold a secret (ROOT_PW, MYSQL_PWD, API_TOKEN, TLS_KEY…): their values
 * never reach an event, a log, a state file or the metadata. A request also names its secrets outright (`secrets`).
 */
export const secretName = /(PASS|PW|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE|AUTH|CERT|COOKIE|SESSION|SALT|PIN|OTP)/i;

export function maskedEnvironment(env: Readonly<Record<string, string>>, secrets: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, secretName.test(name) || secrets.includes(name) ? '********' : value]));
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/** What would steer the dynamic loader or the shells an extension runs, as root: never the caller's to set. */
export const reservedExtensionEnv = /^(LD_|DYLD_|GCONV_PATH$|PATH$|IFS$|ENV$|BASH_ENV$|BASH_FUNC_|SHELLOPTS$|BASHOPTS$|PS4$|NODE_OPTIONS$|PYTHONPATH$|PERL5LIB$)/;
const extensionEnvName = envName.refine((name) => !reservedExtensionEnv.test(name), 'is set by Slipway for extensions (the loader and shell variables are not yours to set)');

export const DeployRequest = z
  .object({
    /** A build id (its first image, or `ID:image`) or the path of a built image. */
    image: z.string().min(1),
    /** Executables, run in this order with the merged tree as their argument. */
    extensions: z.array(z.string().refine((p) => p.startsWith('/'), 'must be an absolute path')).max(64),
    env: z.record(extensionEnvName, z.string()).default({}),
    /** Names in `env` whose values are secret whatever they are called: masked wherever the environment is shown or kept. */
    secrets: z.array(envName).default([]),
    target: DeployTarget,
    /** The target file exists (or the node path will be replaced): the operator confirmed. */
    overwrite: z.boolean().default(false),
  })
  .strict();
export type DeployRequest = z.output<typeof DeployRequest>;
export type DeployRequestInput = z.input<typeof DeployRequest>;

/** A deploy's steps go through the one step loop: the one step status. */
export const DeployStepStatus = StepStatus;

export const DeployStep = z.object({
  /** `open-image`, `mount-lower`, `mount-overlay`, `extension-1`…, `metadata`, `target`. */
  id: z.string(),
  label: z.string(),
  status: DeployStepStatus,
  startedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  message: z.string().nullable(),
});
export type DeployStep = z.infer<typeof DeployStep>;

export const DeployOutput = z.object({
  /** The file written (tar, rawdisk) or `node:path` (ssh-rsync). */
  location: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().nullable(),
});

export const DeploySummary = z.object({
  id: z.string(),
  image: z.string(),
  imagePath: z.string(),
  specHash: z.string().nullable(),
  extensions: z.array(z.string()),
  target: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  failedStep: z.string().nullable(),
  error: z.string().nullable(),
  output: DeployOutput.nullable(),
  /** The build host it ran on, against the image built there (its target written there too); absent: here. */
  host: z.string().optional(),
});
export type DeploySummary = z.infer<typeof DeploySummary>;

export const DeployLogLine = z.object({
  n: z.number().int().nonnegative(),
  step: z.string().nullable(),
  stream: z.enum(['out', 'err', 'info']),
  text: z.string(),
});
export type DeployLogLine = z.infer<typeof DeployLogLine>;

export const DeployDetail = z.object({
  summary: DeploySummary,
  steps: z.array(DeployStep),
  logTotal: z.number().int().nonnegative(),
  /** The environment as given, secret-looking values masked. */
  env: z.record(z.string(), z.string()),
  /** Each step's usual duration in earlier deploys like this one: the time-left estimate. */
  expectedStepMs: ExpectedStepMs.nullish(),
});
export type DeployDetail = z.infer<typeof DeployDetail>;

export const DeployExtension = z.object({ name: z.string(), path: z.string(), description: z.string() });
export type DeployExtension = z.infer<typeof DeployExtension>;

/** A built image a deploy can start from. */
export const DeployableImage = z.object({
  ref: z.string(),
  buildId: z.string(),
  name: z.string(),
  path: z.string(),
  specHash: z.string(),
  builtAt: z.iso.datetime(),
  /** Built on this build host, and deployed there: the path is the host's. */
  host: z.string().optional(),
});
export type DeployableImage = z.infer<typeof DeployableImage>;

export const deployCommands = {
  /** Extensions found in the extension directories, and the images builds produced. */
  'deploy.catalog': command(
    z.object({}).strict(),
    z.object({ extensionDirs: z.array(z.string()), extensions: z.array(DeployExtension), images: z.array(DeployableImage) }),
  ),
  'deploy.list': command(z.object({}).strict(), z.array(DeploySummary)),
  'deploy.get': command(z.object({ id: z.string() }).strict(), DeployDetail),
  'deploy.start': command(DeployRequest, z.object({ id: z.string() })),
  'deploy.cancel': command(z.object({ id: z.string() }).strict(), z.object({ cancelled: z.boolean() })),
  'deploy.logs': command(
    z.object({ id: z.string(), from: z.number().int().nonnegative(), count: z.number().int().positive().max(5_000) }).strict(),
    z.object({ lines: z.array(DeployLogLine), total: z.number().int().nonnegative() }),
  ),
};

export const deployEvents = {
  'deploy.started': DeployDetail,
  'deploy.step': z.object({ id: z.string(), step: DeployStep }),
  'deploy.log': logBatchSchema(z.string()),
  'deploy.finished': DeploySummary,
};
