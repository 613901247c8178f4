import { closeSync, constants as fsConstants, copyFileSync, fstatSync, openSync, readlinkSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { walkSafeDirectory } from '../lib/safe-directory.js';
import { isUnder } from './system/mountinfo.js';

/**
 * A job's output folder, checked and opened once: every later write, rename
 * and unlink goes through the open handle (`/proc/self/fd/<fd>/<name>`, which
 * the kernel resolves to the opened directory itself, like openat(2)), so
 * renaming the folder away and planting a link in its place changes nothing.
 * Only names directly inside the folder are reachable.
 */
export interface OutputFolder {
  /** The canonical path, for messages and results. */
  readonly path: string;
  /** Whether a path (as the backend names it) lies directly in this folder. */
  holds(path: string): boolean;
  /** The name inside, through the handle; refuses anything but one plain name. */
  at(name: string): string;
  /** Moves a file of the job's private directory in under `name` (rename, or copy and rename across file systems). */
  moveIn(from: string, name: string): void;
  close(): void;
}

function plainName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw new Error(`refused: ${JSON.stringify(name)} is not a plain file name`);
  return name;
}

export interface OpenOutputOptions {
  /** The allowed output roots: the folder's canonical path must lie under one of them (compared by real paths). */
  roots: readonly string[];
  /** The uid of the Slipway process the job is for: trusted beside root. */
  operatorUid: number;
  create: boolean;
}

export function openOutputFolder(path: string, options: OpenOutputOptions): OutputFolder {
  const { operatorUid } = options;
  const underRoots = (candidate: string) => options.roots.some((root) => isUnder(candidate, resolve(root)) || isUnder(candidate, realOrSelf(root)));
  if (!underRoots(resolve(path))) throw new Error(`refused: output directory ${path} is not under an allowed output root (${options.roots.join(', ')}; set SLIPWAY_OUTPUT_ROOTS to add one)`);
  const safe = walkSafeDirectory(path, { trusted: new Set([0, operatorUid]), operatorUid, create: options.create });
  const fd = openSync(safe.path, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW);
  try {
    // The handle must be the directory the walk checked, wherever it is now.
    const opened = fstatSync(fd);
    if (opened.dev !== safe.stat.dev || opened.ino !== safe.stat.ino) throw new Error(`refused: ${safe.path} was replaced while it was being opened`);
    const real = readlinkSync(`/proc/self/fd/${fd}`);
    if (!underRoots(real)) throw new Error(`refused: ${real} is not under an allowed output root`);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  const handle = `/proc/self/fd/${fd}`;
  const at = (name: string) => `${handle}/${plainName(name)}`;
  return {
    path: safe.path,
    holds: (candidate) => dirname(resolve(candidate)) === safe.path || dirname(resolve(candidate)) === resolve(path),
    at,
    moveIn(from, name) {
      try {
        renameSync(from, at(name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        // Another file system: copied in beside (exclusively, so a planted link fails it), then renamed over.
        const partial = at(`${name}.slipway-move`);
        rmSync(partial, { force: true });
        copyFileSync(from, partial, fsConstants.COPYFILE_EXCL);
        renameSync(partial, at(name));
        rmSync(from, { force: true });
      }
    },
    close: () => closeSync(fd),
  };
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The file name a backend path has inside the folder, or a refusal naming it. */
export function nameIn(folder: OutputFolder, path: string): string {
  if (!folder.holds(path)) throw new Error(`refused: ${path} is not directly in the output folder ${folder.path}`);
  return basename(path);
}
