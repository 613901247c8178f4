import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isUnder } from '../system/mountinfo.js';

/**
 * The build workspace: `builds/<id>/` per build, `cache/` for base tarballs.
 * Every path an operation touches must resolve (symlinks followed) inside it,
 * or inside the output directory the build declared.
 */
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
    if (!roots.some((root) => isUnder(absolute, root))) {
      throw new Error(`refused: ${path} is outside the build workspace`);
    }
    let existing = absolute;
    for (;;) {
      try {
        const real = realpathSync(existing);
        if (!roots.some((root) => isUnder(real, realpathSync(root)))) throw new Error(`refused: ${path} leads outside the build workspace`);
        return absolute;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        const parent = dirname(existing);
        if (parent === existing) return absolute;
        existing = parent;
      }
    }
  }
}
