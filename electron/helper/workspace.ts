import { lstatSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { unlessMissing } from '../lib/safe-directory.js';
import { isUnder } from './system/mountinfo.js';

/**
 * The build workspace: `builds/<id>/` per build, `cache/` for base tarballs.
 * Every path an operation touches must resolve (symlinks followed) inside it,
 * or inside the output directory the build declared.
 */
/** The real path, or null where nothing exists yet. */
const realpathOrNull = (path: string): string | null => unlessMissing(() => realpathSync(path));

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export class Workspace {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  buildDir(buildId: string): string {
    return join(this.root, 'builds', buildId);
  }

  get buildsDir(): string {
    return join(this.root, 'builds');
  }

  get cacheDir(): string {
    return join(this.root, 'cache');
  }

  /** The path, if it and (after following links) its nearest existing ancestor lie inside one of the roots. */
  confine(path: string, roots: readonly string[]): string {
    const absolute = resolve(path);
    if (!roots.some((root) => isUnder(absolute, resolve(root)))) {
      throw new Error(`refused: ${path} is outside the build workspace`);
    }
    // Roots are compared by their real paths too; a root that does not exist yet stands for itself.
    const realRoots = roots.map((root) => realpathOrNull(resolve(root)) ?? resolve(root));
    for (let existing = absolute; ; existing = dirname(existing)) {
      const real = realpathOrNull(existing);
      // A dangling link could still be written through to wherever it points.
      if (real === null && isSymlink(existing)) throw new Error(`refused: ${path} is a link to nowhere`);
      if (real !== null) {
        // Nothing exists between this ancestor and a root not made yet: no link can redirect the path.
        const aboveMissingRoot = roots.some((root) => isUnder(absolute, resolve(root)) && isUnder(resolve(root), existing) && existing !== resolve(root));
        if (!aboveMissingRoot && !realRoots.some((root) => isUnder(real, root))) throw new Error(`refused: ${path} leads outside the build workspace`);
        return absolute;
      }
      if (dirname(existing) === existing) return absolute;
    }
  }
}
