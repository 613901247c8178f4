import { join } from 'node:path';
import { build, type OpContext } from '../op-context.js';
import { prefetchDebs, type PrefetchInput } from './deb-prefetch.js';

type Where = Pick<PrefetchInput, 'mirror' | 'suite' | 'arch' | 'variant' | 'cacheDir'>;

/**
 * The prefetch beside a debootstrap run: journalled scratch, stopped with the
 * operation (cancel) or once debootstrap is done, never failing the build.
 */
export function startPrefetch(ctx: OpContext, buildId: string, where: Where): { stop(): Promise<void> } {
  const mirror = where.mirror.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(mirror)) return { stop: async () => {} };
  const journal = build(ctx, buildId).journal;
  const scratch = join(where.cacheDir, `prefetch-${buildId}`);
  journal.acquire({ kind: 'dir', path: scratch });
  const controller = new AbortController();
  const cancel = () => controller.abort();
  ctx.signal.addEventListener('abort', cancel, { once: true });
  const done = prefetchDebs({ ...where, mirror, scratch, run: ctx.run, signal: controller.signal }).then(
    (result) => {
      const mib = (result.bytes / 2 ** 20).toFixed(1);
      ctx.log(`prefetch: ${result.fetched} .deb(s), ${mib} MiB in ${(result.ms / 1000).toFixed(1)} s, 8 at a time (${result.cached} already cached${result.failed.length > 0 ? `; ${result.failed.length} left to debootstrap: ${result.failed[0]}` : ''})`);
    },
    (error: unknown) => {
      if (!controller.signal.aborted) ctx.log(`prefetch skipped: ${error instanceof Error ? error.message : String(error)}; debootstrap fetches every .deb itself`);
    },
  );
  return {
    async stop() {
      controller.abort();
      await done;
      ctx.signal.removeEventListener('abort', cancel);
      journal.release({ kind: 'dir', path: scratch });
    },
  };
}
