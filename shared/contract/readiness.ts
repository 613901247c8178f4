import { z } from 'zod';
import { command } from './define.js';

export const Capability = z.enum(['builds', 'publish', 'nodes', 'applications', 'containers']);
export type Capability = z.infer<typeof Capability>;

export const ToolCheck = z.object({
  name: z.string(),
  found: z.boolean(),
  path: z.string().nullable(),
  version: z.string().nullable(),
  /** Debian package that provides the tool, found or not, so the fix is one apt-get line. */
  debianPackage: z.string(),
  required: z.boolean(),
  neededBy: z.array(Capability),
  purpose: z.string(),
});
export type ToolCheck = z.infer<typeof ToolCheck>;

export const Elevation = z.enum(['root', 'sudo', 'pkexec', 'none']);
export type Elevation = z.infer<typeof Elevation>;

export const PrivilegeCheck = z.object({
  uid: z.number().int(),
  user: z.string(),
  elevation: Elevation,
  /** True when builds (losetup, mount, debootstrap) can run, directly or elevated. */
  canBuild: z.boolean(),
  detail: z.string(),
});
export type PrivilegeCheck = z.infer<typeof PrivilegeCheck>;

export const ReadinessReport = z.object({
  checkedAt: z.iso.datetime(),
  hostname: z.string(),
  tools: z.array(ToolCheck),
  privileges: PrivilegeCheck,
  /** The `apt-get install …` line that installs every missing tool, or null. */
  installHint: z.string().nullable(),
  ready: z.boolean(),
});
export type ReadinessReport = z.infer<typeof ReadinessReport>;

/** Host readiness of an inventory node labelled build-host, probed over its pooled SSH connection. */
export const BuildHostReport = ReadinessReport.extend({ node: z.string() });
export type BuildHostReport = z.infer<typeof BuildHostReport>;

export const readinessCommands = {
  /** The last report (null before the first check): the snapshot for a (re)connecting client. */
  'readiness.get': command(z.object({}).strict(), ReadinessReport.nullable()),
  /** Probe the host now; progress streams as readiness.* events. */
  'readiness.check': command(z.object({}).strict(), ReadinessReport),
  /** Probe a build host (a node labelled build-host) now: the same tools, plus root or passwordless sudo. */
  'nodes.buildHostReadiness': command(z.object({ name: z.string().min(1) }).strict(), BuildHostReport),
};

export const readinessEvents = {
  'readiness.started': z.object({ total: z.number().int().nonnegative() }),
  'readiness.tool': ToolCheck,
  'readiness.report': ReadinessReport,
  /** A probe that failed as a whole; every client shows it, not only the one that asked. */
  'readiness.failed': z.object({ message: z.string() }),
};
