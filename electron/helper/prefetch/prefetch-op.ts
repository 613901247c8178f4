import { join } from 'node:path';
import { build, type OpContext } from '../op-context.js';
import { prefetchDebs, type PrefetchInput, type PrefetchResult } from './deb-prefetch.js';

type Where = Pick<PrefetchInput, 'mirror' | 'suite' | 'arch' | 'variant' | 'cacheDir'>;

/**
 * A prefetch as a build runs it: journalled scratch, stopped with the
 * operation (cancel) or by its caller, never failing the build (the
 * bootstrapper fetches whatever is not there itself).
 */
function runPrefetch(ctx: OpContext, buildId: string, where: Where, who: string): { done: Promise<PrefetchResult | null>; stop(): Promise<void> } {
  const mirror = where.mirror.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(mirror)) return { done: Promise.resolve(null), stop: async () => {} };
  const journal = build(ctx, buildId).journal;
  const scratch = join(where.cacheDir, `prefetch-${buildId}`);
  journal.acquire({ kind: 'dir', path: scratch });
  const controller = new AbortController();
  const cancel = () => controller.abort();
  ctx.signal.addEventListener('abort', cancel, { once: true });
  const done = prefetchDebs({ ...where, mirror, scratch, run: ctx.run, signal: controller.signal }).then(
    (result) => {
      const mib = (result.bytes / 2 ** 20).toFixed(1);
      ctx.log(`prefetch: ${result.fetched} .deb(s), ${mib} MiB in ${(result.ms / 1000).toFixed(1)} s, 8 at a time (${result.cached} already cached${result.failed.length > 0 ? `; ${result.failed.length} left to ${who}: ${result.failed[0]}` : ''})`);
      return result;
    },
    (error: unknown) => {
      if (!controller.signal.aborted) ctx.log(`prefetch skipped: ${error instanceof Error ? error.message : String(error)}; ${who} fetches every .deb itself`);
      return null;
    },
  );
  const finished = done.finally(() => {
    ctx.signal.removeEventListener('abort', cancel);
    journal.release({ kind: 'dir', path: scratch });
  });
  return {
    done: finished,
    async stop() {
      controller.abort();
      await finished;
    },
  };
}

/** The prefetch beside a debootstrap run, stopped once debootstrap is done. */
export function startPrefetch(ctx: OpContext, buildId: string, where: Where): { stop(): Promise<void> } {
  return runPrefetch(ctx, buildId, where, 'debootstrap');
}

/** The prefetch before an mmdebstrap run: the cache names of the chosen set now in the cache (none when it could not run). */
export async function prefetchFirst(ctx: OpContext, buildId: string, where: Where): Promise<string[]> {
  const result = await runPrefetch(ctx, buildId, where, 'mmdebstrap').done;
  return result?.present ?? [];
}
