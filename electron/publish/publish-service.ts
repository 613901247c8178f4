import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError, type NetbootSource, type NetbootTarget, type PublishResult } from '../../shared/contract/index.js';
import type { HelperSupervisor } from '../helper/helper-supervisor.js';
import { HelperSession } from '../jobs/helper-session.js';
import { mountStagedReadOnly, stageImage, type JobCall } from '../helper/image-mount.js';
import type { EventBus } from '../backend/event-bus.js';
import type { ProcessIdentity } from '../process/process-identity.js';
import type { BuildSummary } from '../../shared/contract/index.js';
import { NetbootCache, type NetbootFiles } from './netboot-cache.js';
import { publishNetboot, type VersionOrigin } from './tftp-publish.js';
import { listTftpTree } from './tftp-tree.js';
import { initrdProblem, kernelProblem } from './netboot-magic.js';
import { readOperatorFile } from '../lib/operator-file.js';

export interface PublishServiceDeps {
  bus: EventBus;
  /** Kernels already taken out of images are kept here (see NetbootCache). */
  stateDir: string;
  helpers: HelperSupervisor;
  tftpRoot: string;
  graceMs: number;
  imagesDir: string;
  owner: ProcessIdentity;
  builds: () => BuildSummary[];
}

export function createPublishService(deps: PublishServiceDeps) {
  const live = new Set<string>();
  const cache = new NetbootCache(join(deps.stateDir, 'netboot-cache'));
  /** One publish at a time per purpose: two would race for the same link (each still atomic, but the loser's entry could win). */
  const queue = new Map<string, Promise<unknown>>();

  /** The image's kernel and initrd, copied out through a read-only mount in the helper; the job is closed whatever happens. */
  async function fromBuild(buildId: string, imageName: string | undefined, use: (files: NetbootFiles) => PublishResult): Promise<PublishResult> {
    const build = deps.builds().find((b) => b.id === buildId && b.status === 'succeeded');
    const artifact = imageName ? build?.artifacts.find((a) => a.image === imageName) : build?.artifacts[0];
    if (!artifact || !existsSync(artifact.path)) throw new SlipwayError('bad_request', `no successful build ${buildId}${imageName ? `:${imageName}` : ''} with its image in place`, 'source.buildId');
    // The same image as when it was built (a later build may have replaced the file): then its kernel may come from the cache.
    const unchanged = statSync(artifact.path).size === artifact.containerSize;
    const cached = unchanged ? cache.get(artifact.containerSha256) : null;
    if (cached) return use(cached);
    const helper = await deps.helpers.get();
    const id = `pub-${randomBytes(6).toString('hex')}`;
    // The job's calls journalled and released together (the same session as builds and deploys use).
    const session = new HelperSession(helper, id, () => undefined);
    const call: JobCall = (op, args) => session.call(null, op, args);
    live.add(id);
    try {
      const { dir } = await call('build.open', { outputDir: deps.imagesDir, owner: deps.owner });
      const { staged } = await stageImage(call, dir, artifact.path);
      const { lower } = await mountStagedReadOnly(call, dir, staged);
      const extracted = await call('boot.extract', { root: lower, dest: join(dir, 'netboot') });
      return use(unchanged ? cache.put(artifact.containerSha256, extracted) : extracted);
    } catch (error) {
      throw error instanceof SlipwayError ? error : new SlipwayError('failed', (error as Error).message, 'source');
    } finally {
      // Never throws; what it could not free, the helper's journal recovery finishes.
      await session.close(null);
      live.delete(id);
    }
  }

  function publish(target: NetbootTarget, kernel: string | Buffer, initrd: string | Buffer, origin: VersionOrigin): PublishResult {
    const result = publishNetboot({ root: deps.tftpRoot, ...target }, kernel, initrd, { graceMs: deps.graceMs, origin });
    const entry = listTftpTree(deps.tftpRoot).find((e) => e.arch === target.arch && e.subarch === target.subarch && e.release === target.release && e.purpose === target.purpose);
    if (!entry) throw new SlipwayError('internal', `published ${result.version} but cannot read it back from ${deps.tftpRoot}`);
    deps.bus.publish('publish.changed', { root: deps.tftpRoot, status: result.status, entry });
    return { status: result.status, entry, pruned: result.pruned };
  }

  return {
    tree() {
      return { root: deps.tftpRoot, graceMinutes: deps.graceMs / 60_000, entries: listTftpTree(deps.tftpRoot) };
    },

    async netboot(target: NetbootTarget, source: NetbootSource): Promise<PublishResult> {
      const key = `${target.arch}/${target.subarch}/${target.release}/${target.purpose}`;
      const previous = queue.get(key) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(async () => {
        if (source.kind === 'files') {
          // Files the operator names go into a tree anyone on the lab network reads: regular files others could read
          // already, of a size a netboot pair has, read without blocking.
          const read = (path: string, field: string) => readOperatorFile(path, { maxBytes: 1 << 30, worldReadable: true, field });
          const [kernel, initrd] = await Promise.all([read(source.kernel, 'kernel'), read(source.initrd, 'initrd')]);
          const problem = (path: string, field: string, why: string | null) => why && new SlipwayError('bad_request', `${path} ${why}`, `source.${field}`);
          const refused = problem(source.kernel, 'kernel', kernelProblem(kernel)) ?? problem(source.initrd, 'initrd', initrdProblem(initrd));
          if (refused) throw refused;
          try {
            return publish(target, kernel, initrd, { source: source.kernel, kernelName: null });
          } catch (error) {
            throw new SlipwayError((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'bad_request' : 'failed', (error as Error).message, 'source');
          }
        }
        return fromBuild(source.buildId, source.image, (files) => publish(target, files.kernel, files.initrd, { source: source.buildId, kernelName: files.kernelName }));
      });
      queue.set(key, next);
      try {
        return await next;
      } finally {
        if (queue.get(key) === next) queue.delete(key);
      }
    },

    liveIds: () => live.values(),
  };
}

export type PublishService = ReturnType<typeof createPublishService>;
