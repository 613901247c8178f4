import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Runner } from '../../process/runner.js';
import { describeResource, Journal, type Resource } from '../system/journal.js';
import { detachLoop, loopsLeft } from '../system/losetup.js';
import { mountsUnder } from '../system/mountinfo.js';
import type { Workspace } from './workspace.js';

/** One open build inside the helper: its journal and where it may write. */
export interface OpenBuild {
  id: string;
  dir: string;
  outputDir: string;
  journal: Journal;
}

export async function releaseResource(run: Runner, resource: Resource): Promise<void> {
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
      rmSync(resource.path, { force: true });
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
export async function releaseAll(run: Runner, journal: Journal, log: (line: string) => void): Promise<{ released: string[]; failed: string[] }> {
  const released: string[] = [];
  const failed: string[] = [];
  for (const resource of journal.outstanding().reverse()) {
    try {
      await releaseResource(run, resource);
      // Removing the build directory removes the journal with it: nothing left to record.
      if (existsSync(dirname(journal.path))) journal.release(resource);
      released.push(describeResource(resource));
      log(`released ${describeResource(resource)}`);
    } catch (error) {
      failed.push(`${describeResource(resource)}: ${(error as Error).message}`);
      log(`could not release ${describeResource(resource)}: ${(error as Error).message}`);
    }
  }
  return { released, failed };
}

export interface Owner {
  pid: number;
  /** From /proc/<pid>/stat: a reused pid is not mistaken for the owner. */
  startTime: string;
}

export function openBuild(workspace: Workspace, id: string, outputDir: string, owner: Owner): OpenBuild {
  mkdirSync(workspace.buildsDir, { recursive: true, mode: 0o755 });
  const dir = workspace.buildDir(id);
  mkdirSync(dir, { mode: 0o755 });
  // The owner first and whole (temp + rename): a recovery running meanwhile must never see an ownerless build.
  writeFileSync(join(dir, '.owner.json'), JSON.stringify({ ...owner, outputDir }));
  renameSync(join(dir, '.owner.json'), join(dir, 'owner.json'));
  const journal = new Journal(join(dir, 'journal.jsonl'));
  journal.acquire({ kind: 'dir', path: dir });
  return { id, dir, outputDir, journal };
}

export function reopenBuild(workspace: Workspace, id: string): OpenBuild {
  const dir = workspace.buildDir(id);
  if (!existsSync(dir)) throw new Error(`no build ${id} in the workspace`);
  return { id, dir, outputDir: dir, journal: new Journal(join(dir, 'journal.jsonl')) };
}
