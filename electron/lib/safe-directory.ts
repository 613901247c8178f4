import { lstatSync, mkdirSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * Whether root may work in a directory without another user being able to
 * redirect it: every directory on the way must be owned by a trusted uid (root
 * or the operator), and a directory others may write to must be sticky, with
 * the next step owned by a trusted uid. This is systemd's rule for unsafe path
 * transitions (src/basic/chase.c, fs-util.c before v254: unsafe_transition(),
 * applied by chase() with CHASE_SAFE for systemd-tmpfiles), made stricter by refusing non-sticky shared directories.
 */

export interface SafeDirectory {
  /** The canonical path walked, no link left in it. */
  path: string;
  stat: Stats;
}

/** World-writable, or group-writable by a group other than root's: someone else may rename and plant here. */
export function writableByOthers(stat: Stats): boolean {
  return (stat.mode & 0o002) !== 0 || ((stat.mode & 0o020) !== 0 && stat.gid !== 0);
}

const sticky = (stat: Stats) => (stat.mode & 0o1000) !== 0;

/** What `read` returns, or null when the path it reads does not exist (any other error is thrown). */
export function unlessMissing<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

const lstatOrNull = (path: string): Stats | null => unlessMissing(() => lstatSync(path));

/** The path with the links of its existing part resolved (those links must be safe too: the walk below checks the result). */
function canonical(path: string): string {
  const missing: string[] = [];
  for (let existing = resolve(path); ; existing = dirname(existing)) {
    try {
      return join(realpathSync(existing), ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(existing) === existing) throw error;
      missing.push(existing.slice(dirname(existing).length).replace(/^\//, ''));
    }
  }
}

/** What the parent alone decides, before the child is looked at or made in it: nothing is written into a folder that is refused. */
function checkParent(parent: string, parentStat: Stats, child: string, trusted: ReadonlySet<number>): void {
  if (!trusted.has(parentStat.uid)) throw new Error(`refused: ${parent} belongs to uid ${parentStat.uid}, who could swap ${child} for a link`);
  if (writableByOthers(parentStat) && !sticky(parentStat)) throw new Error(`refused: ${parent} is writable by others and not sticky: anyone could swap ${child} for a link`);
}

/** In a shared (sticky) parent, the step must also be owned by a trusted uid. */
function checkChild(parent: string, parentStat: Stats, child: string, childStat: Stats, trusted: ReadonlySet<number>): void {
  if (writableByOthers(parentStat) && !trusted.has(childStat.uid)) throw new Error(`refused: ${child} belongs to uid ${childStat.uid} inside the shared ${parent}`);
}

/**
 * Walks `path` from `/`, making missing directories (mode 0755) when `create`,
 * and refuses the first step another user could redirect. The directory itself
 * must be owned by a trusted uid, and not writable by others unless it is the
 * operator's own (`operatorUid`).
 */
export function walkSafeDirectory(path: string, options: { trusted: ReadonlySet<number>; operatorUid: number; create: boolean }): SafeDirectory {
  const real = canonical(path);
  let current: string = sep;
  let currentStat = lstatSync(current);
  for (const part of real.split(sep).filter(Boolean)) {
    const child = join(current, part);
    checkParent(current, currentStat, child, options.trusted);
    let stat = lstatOrNull(child);
    if (stat === null) {
      if (!options.create) throw new Error(`${child} does not exist`);
      try {
        // Not recursive: each new directory is checked before the next is made inside it.
        mkdirSync(child, { mode: 0o755 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      stat = lstatSync(child);
    }
    if (stat.isSymbolicLink()) throw new Error(`refused: ${child} became a link while it was being opened`);
    if (!stat.isDirectory()) throw new Error(`${child} is not a directory`);
    checkChild(current, currentStat, child, stat, options.trusted);
    current = child;
    currentStat = stat;
  }
  if (!options.trusted.has(currentStat.uid)) throw new Error(`refused: ${current} belongs to uid ${currentStat.uid}`);
  if (writableByOthers(currentStat) && !sticky(currentStat) && currentStat.uid !== options.operatorUid) {
    throw new Error(`refused: ${current} is writable by others and not the operator's own`);
  }
  return { path: current, stat: currentStat };
}
