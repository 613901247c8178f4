import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { Runner } from '../process/runner.js';
import { describeResource, Journal, type Resource } from './system/journal.js';
import { detachLoop, loopsLeft } from './system/losetup.js';
import { mountsUnder } from './system/mountinfo.js';
import { isUnder } from './system/mountinfo.js';
import { openOutputFolder, type OutputFolder } from './output-folder.js';
import type { Workspace } from './workspace.js';

/** One open build inside the helper: its journal, its private directory and the output folder it holds open. */
export interface OpenBuild {
  id: string;
  dir: string;
  /** Null for a build recovered after a crash whose output folder can no longer be opened safely. */
  output: OutputFolder | null;
  journal: Journal;
  /** The workspace's cache (root's, private): a partial file a build journalled there is its own to remove. */
  cacheDir: string;
}

/**
 * A partial file in the output folder goes through the folder's handle; one
 * anywhere else must be inside the build's own directory or the workspace's
 * cache (both root's, private): a partial file cut off by a crash is removed too.
 */
function removeFile(open: OpenBuild, path: string): void {
  if (open.output?.holds(path)) rmSync(open.output.at(basename(path)), { force: true });
  else if (isUnder(path, open.dir) || isUnder(path, open.cacheDir)) rmSync(path, { force: true });
  else throw new Error(`left in place: the output folder of ${path} could not be reopened safely`);
}

export async function releaseResource(run: Runner, resource: Resource, open?: OpenBuild): Promise<void> {
  switch (resource.kind) {
    case 'mount': {
      // Deepest first, including mounts nobody journalled (debootstrap's own /proc and /sys when it was killed).
      for (const point of mountsUnder(resource.target)) {
        const result = await run('umount', [point]);
        if (result.exitCode !== 0) throw new Error(`umount ${point}: ${result.stderr.trim()}`);
      }
      return;
    }
    case 'loop':
      for (const device of await loopsLeft(run, resource.file)) await detachLoop(run, device);
      return;
    case 'file':
      if (open) removeFile(open, resource.path);
      else rmSync(resource.path, { force: true });
      return;
    case 'dir': {
      // Never delete through a mount: that would empty an image, or worse a bound host tree.
      const mounted = mountsUnder(resource.path);
      if (mounted.length > 0) throw new Error(`refused to remove ${resource.path}: still mounted at ${mounted.join(', ')}`);
      rmSync(resource.path, { recursive: true, force: true });
      return;
    }
  }
}

/** Release what a journal still holds, newest first; keep going past failures and report them. */
export async function releaseAll(run: Runner, open: OpenBuild, log: (line: string) => void): Promise<{ released: string[]; failed: string[] }> {
  const { journal } = open;
  const released: string[] = [];
  const failed: string[] = [];
  for (const resource of journal.outstanding().reverse()) {
    try {
      await releaseResource(run, resource, open);
      // Removing the build directory removes the journal with it: nothing left to record.
      if (existsSync(dirname(journal.path))) journal.release(resource);
      released.push(describeResource(resource));
      log(`released ${describeResource(resource)}`);
    } catch (error) {
      failed.push(`${describeResource(resource)}: ${(error as Error).message}`);
      log(`could not release ${describeResource(resource)}: ${(error as Error).message}`);
    }
  }
  open.output?.close();
  return { released, failed };
}

export interface Owner {
  pid: number;
  /** From /proc/<pid>/stat: a reused pid is not mistaken for the owner. */
  startTime: string;
}

/** What a build directory records about its job, for a recovery by a later helper. */
const OwnerRecord = z.object({ outputDir: z.string(), operatorUid: z.number().int(), session: z.string().optional() });

/** The builds in the workspace that a detached helper of one of `sessions` opened (a build without a record is not claimed). */
export function buildsOfSessions(workspace: Workspace, sessions: ReadonlySet<string>): string[] {
  if (!existsSync(workspace.buildsDir)) return [];
  return readdirSync(workspace.buildsDir).filter((id) => {
    try {
      const record = OwnerRecord.parse(JSON.parse(readFileSync(join(workspace.buildDir(id), 'owner.json'), 'utf8')));
      return record.session !== undefined && sessions.has(record.session);
    } catch {
      return false;
    }
  });
}

/** Takes over the opened output folder: the build closes it when it is released. */
export function openBuild(workspace: Workspace, id: string, output: OutputFolder, owner: Owner & { operatorUid: number; session?: string }): OpenBuild {
  mkdirSync(workspace.buildsDir, { recursive: true, mode: 0o755 });
  const dir = workspace.buildDir(id);
  mkdirSync(dir, { mode: 0o755 });
  // The owner first and whole (temp + rename): a recovery running meanwhile must never see an ownerless build.
  writeFileSync(join(dir, '.owner.json'), JSON.stringify({ ...owner, outputDir: output.path }));
  renameSync(join(dir, '.owner.json'), join(dir, 'owner.json'));
  const journal = new Journal(join(dir, 'journal.jsonl'));
  journal.acquire({ kind: 'dir', path: dir });
  return { id, dir, output, journal, cacheDir: workspace.cacheDir };
}

/** A build left by a helper that died: its output folder is reopened with the same checks, or its files there are left alone. */
export function reopenBuild(workspace: Workspace, id: string, roots: readonly string[], log: (line: string) => void): OpenBuild {
  const dir = workspace.buildDir(id);
  if (!existsSync(dir)) throw new Error(`no build ${id} in the workspace`);
  let output: OutputFolder | null = null;
  try {
    const record = OwnerRecord.parse(JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')));
    output = openOutputFolder(record.outputDir, { roots, operatorUid: record.operatorUid, create: false });
  } catch (error) {
    log(`${id}: its output folder is not reopened (${(error as Error).message})`);
  }
  return { id, dir, output, journal: new Journal(join(dir, 'journal.jsonl')), cacheDir: workspace.cacheDir };
}
