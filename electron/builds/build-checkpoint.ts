import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Artifact, InstalledPackage, StepState } from '../../shared/contract/index.js';
import { helperOps, sessionId } from '../helper/helper-protocol.js';

/*
 * Where a build on a build host stands, noted in the console's state folder
 * before each helper call goes out: the step under way, what the steps before
 * it left for the rest (BuildContext's data), and the ids of the calls made
 * in this step so far. The helper on the host goes on without a console (it
 * is detached, helper-session.ts); a console that restarts reads this, attaches to
 * the same session, and runs the step again from its start with the same call
 * ids: the helper answers each from what it already did (its journal, replayed),
 * so nothing is done twice, and the build carries on from there.
 */

const processIdentity = z.object({ pid: z.number().int(), startTime: z.string() });
const digests = helperOps['artifact.pack'].result;

const ImageWork = z.object({
  /** The spec's file system, by name: the spec itself is read again from its text. */
  name: z.string(),
  file: z.string(),
  target: z.string(),
  device: z.string().nullable(),
  dest: z.string(),
  sums: digests.nullable(),
});

export const BuildCheckpoint = z.object({
  buildId: z.string().regex(/^[a-z0-9-]{6,64}$/),
  host: z.string().min(1),
  session: sessionId,
  /** The console running the build: only a checkpoint whose console is gone is another's to carry on. */
  console: processIdentity,
  specHash: z.string(),
  /** The step under way (its index), and the helper's last message number when it started: replayed from there. */
  step: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  /** The ids of the calls this step has made, in order: made again with the same ids, they are answered from what was done. */
  calls: z.array(z.number().int().positive()),
  /** Whether the helper holds the build open (its `build.open` answered): the release at the end is owed. */
  opened: z.boolean(),
  ctx: z.object({
    dir: z.string(),
    root: z.string(),
    cacheDir: z.string(),
    images: z.array(ImageWork),
    baseReused: z.boolean(),
    mounts: z.array(z.string()),
    installed: z.array(InstalledPackage),
    artifacts: z.array(Artifact),
    metadataPath: z.string().nullable(),
  }),
  steps: z.array(StepState),
});
export type BuildCheckpoint = z.infer<typeof BuildCheckpoint>;
export type CheckpointContext = BuildCheckpoint['ctx'];

/** The state folder's place for them. */
export const checkpointDir = (stateDir: string) => join(stateDir, 'host-builds');

/** Written whole or not at all (a crash mid-write leaves the one before), readable by the operator only: a spec may name secrets. */
export function writeCheckpoint(dir: string, checkpoint: BuildCheckpoint): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${checkpoint.buildId}.json`);
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(checkpoint), { mode: 0o600 });
  renameSync(temp, file);
}

export function removeCheckpoint(dir: string, buildId: string): void {
  rmSync(join(dir, `${buildId}.json`), { force: true });
}

/** Every checkpoint that reads as one; a damaged file is named (by build id) so that build is ended, not resumed. */
export function readCheckpoints(dir: string): { checkpoints: BuildCheckpoint[]; damaged: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^[a-z0-9-]{6,64}\.json$/.test(name));
  } catch {
    return { checkpoints: [], damaged: [] };
  }
  const checkpoints: BuildCheckpoint[] = [];
  const damaged: string[] = [];
  for (const name of names) {
    const parsed = BuildCheckpoint.safeParse(safeJson(join(dir, name)));
    if (parsed.success && `${parsed.data.buildId}.json` === name) checkpoints.push(parsed.data);
    else damaged.push(name.slice(0, -'.json'.length));
  }
  return { checkpoints, damaged };
}

function safeJson(file: string): unknown {
  try {
    // A checkpoint is a few KiB; one much larger (or not a file) is not ours.
    const stat = statSync(file);
    return stat.isFile() && stat.size <= 4 * 2 ** 20 ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : null;
  } catch {
    return null;
  }
}
