import { resolve } from 'node:path';
import { cachedArtifacts } from '../lib/artifact-cache.js';
import type { HelperOp } from './helper-protocol.js';
import type { Op } from './op-context.js';
import { isUnder } from './system/mountinfo.js';

/**
 * The spec-hash cache as a build host answers it: the backend cannot read the
 * host's folders, so the host's helper does, with the same trust rules as the
 * backend applies here (electron/lib/artifact-cache.ts), and only inside the
 * output roots it would publish into.
 */
export const cacheOps: { [O in Extract<HelperOp, 'cache.lookup'>]: Op<O> } = {
  async 'cache.lookup'({ outputDir, name, imageCount, specHash }, ctx) {
    const dir = resolve(outputDir);
    if (!ctx.outputRoots.some((root) => isUnder(dir, resolve(root)))) return { hit: null };
    return { hit: cachedArtifacts({ outputDir: dir, name, imageCount, specHash, operatorUid: ctx.operatorUid }) };
  },
};
