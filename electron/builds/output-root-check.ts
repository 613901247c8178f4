import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SpecProblem } from '../../shared/contract/index.js';
import { isUnder } from '../helper/system/mountinfo.js';

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The helper's first refusal of an output folder (`openOutputFolder`: not
 * under an allowed output root), said while the spec is typed, so the editor
 * never calls a spec valid that the build would refuse at its first step.
 * The helper still checks it for real (links, owners) when the build opens it.
 */
export function outputRootProblem(dir: string, roots: readonly string[]): SpecProblem | null {
  const path = resolve(dir);
  if (roots.some((root) => isUnder(path, resolve(root)) || isUnder(path, realOrSelf(root)))) return null;
  return { field: 'output.dir', message: `not under an allowed output root (${roots.join(', ')}; set SLIPWAY_OUTPUT_ROOTS to add one)` };
}
