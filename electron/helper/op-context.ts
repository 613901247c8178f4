import { randomBytes } from 'node:crypto';
import type { Runner } from '../process/runner.js';
import { commandError } from './system/command-error.js';
import { basename, join } from 'node:path';
import type { OpenBuild } from './build-registry.js';
import type { OutputFolder } from './output-folder.js';
import type { HelperOp, HelperParsedArgs, HelperResult } from './helper-protocol.js';
import type { Workspace } from './workspace.js';

/** What every helper operation gets: the workspace, the open jobs, a runner and a log. */
export interface OpContext {
  workspace: Workspace;
  /** Directories (given on the helper's command line) that builds may publish into. */
  outputRoots: readonly string[];
  /** The user Slipway runs for (who ran sudo or pkexec, or root): trusted beside root in output folders. */
  operatorUid: number;
  builds: Map<string, OpenBuild>;
  run: Runner;
  log: (text: string) => void;
  signal: AbortSignal;
  /** A detached helper's session: recorded with each build it opens, so the next helper on the host knows whose builds were left. */
  session?: string;
}

/** A temp file no one could have planted a link at: random name, created exclusively. */
export function exclusiveTemp(path: string): string {
  return `${path}.slipway-${randomBytes(6).toString('hex')}`;
}

/** An operation as the helper runs it: checked arguments in, the protocol's result out. */
export type Op<O extends HelperOp> = (args: HelperParsedArgs<O>, ctx: OpContext) => Promise<HelperResult<O>>;

export function build(ctx: OpContext, id: string): OpenBuild {
  const open = ctx.builds.get(id);
  if (!open) throw new Error(`build ${id} is not open in this helper`);
  return open;
}

/** A backend path that must name a file directly in the build's output folder: the folder and the name. */
export function outputName(open: OpenBuild, path: string): { folder: OutputFolder; name: string } {
  if (!open.output?.holds(path)) throw new Error(`refused: ${path} is not directly in the output folder${open.output ? ` ${open.output.path}` : ''}`);
  return { folder: open.output, name: basename(path) };
}

/** Where a command (tar, mke2fs) packs a result for the output folder: the build's private directory, never a path through the folder. */
export const stagedPath = (open: OpenBuild, name: string) => join(open.dir, 'out', name);

export const inBuild = (ctx: OpContext, id: string, path: string) => ctx.workspace.confine(path, [build(ctx, id).dir]);

export async function must(ctx: OpContext, what: string, file: string, args: string[]): Promise<void> {
  const result = await ctx.run(file, args);
  if (result.exitCode !== 0) throw commandError(what, result);
}

