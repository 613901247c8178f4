import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { SlipwayError, type Artifact, type NetbootTarget, type PublishResult, type TftpTree } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import type { HelperSource } from '../helper/helper-supervisor.js';
import { mountStagedReadOnly, stageImage, type JobCall } from '../helper/image-mount.js';
import { HelperSession } from '../jobs/helper-session.js';
import type { ProcessIdentity } from '../process/process-identity.js';

export interface HostPublishDeps {
  bus: EventBus;
  /** The lab's build hosts (absent: a backend without an inventory, which publishes here only). */
  buildHosts?: { helperOf(name: string): HelperSource };
  /** The TFTP root on every build host (SLIPWAY_HOST_TFTP_ROOT): under the host's output roots. */
  tftpRoot: string;
  graceMs: number;
  owner: ProcessIdentity;
}

/** A helper's refusal (its message starts `refused:`) is the operator's to fix; anything else failed there. */
function hostError(host: string, error: unknown, field: string): SlipwayError {
  if (error instanceof SlipwayError) return error;
  const message = (error as Error).message;
  return new SlipwayError(message.startsWith('refused:') ? 'bad_request' : 'failed', `on build host ${host}: ${message}`, field);
}

/**
 * Netboot sets of images built on a build host, published into that host's
 * TFTP tree by its helper: the image is staged and mounted read-only there,
 * its kernel, initrd and root image taken out, and the same versioned tree as
 * this machine's written there (electron/helper/tftp-ops.ts). Nothing is
 * copied to this machine.
 */
export function createHostPublisher(deps: HostPublishDeps) {
  function helperOf(host: string): HelperSource {
    if (!deps.buildHosts) throw new SlipwayError('bad_request', `the image is on build host ${host}: publishing it there needs the node inventory (the console)`, 'source.buildId');
    return deps.buildHosts.helperOf(host);
  }
  const where = (host: string) => ({ host, root: deps.tftpRoot });

  return {
    root: deps.tftpRoot,

    async publish(host: string, buildId: string, artifact: Artifact, target: NetbootTarget): Promise<PublishResult> {
      const helper = await helperOf(host).get();
      const id = `pub-${randomBytes(6).toString('hex')}`;
      // One job on the host: everything it mounts and makes is journalled there, and released by close whatever happens.
      const session = new HelperSession(helper, id, () => undefined);
      const call: JobCall = (op, args) => session.call(null, op, args);
      try {
        // The build's own output folder on the host: under its output roots, where the image already is.
        const { dir } = await call('build.open', { outputDir: dirname(artifact.path), owner: deps.owner });
        const { staged } = await stageImage(call, dir, artifact.path);
        const { lower } = await mountStagedReadOnly(call, dir, staged);
        const boot = await call('boot.extract', { root: lower, dest: join(dir, 'netboot') });
        if (boot.diskless !== null) throw new SlipwayError('bad_request', `build ${buildId}: ${boot.diskless}`, 'source.buildId');
        const root = await call('root.squash', { root: lower, dest: join(dir, 'netboot', 'root.squashfs') });
        const published = await call('tftp.publish', {
          tftpRoot: deps.tftpRoot,
          target,
          kernel: boot.kernel,
          initrd: boot.initrd,
          root: { path: root.path, sha256: root.sha256 },
          origin: { source: buildId, kernelName: boot.kernelName },
          graceMs: deps.graceMs,
        });
        deps.bus.publish('publish.changed', { ...where(host), status: published.status, entry: published.entry });
        const note = published.loader === null ? {} : { note: `no boot loader put in ${host}:${deps.tftpRoot} (on ${host}, ${published.loader})` };
        return { status: published.status, entry: published.entry, pruned: published.pruned, ...where(host), ...note };
      } catch (error) {
        throw hostError(host, error, 'source');
      } finally {
        // Never throws; what it could not free, the host helper's journal recovery finishes.
        await session.close(null);
      }
    },

    async tree(host: string, graceMinutes: number): Promise<TftpTree> {
      try {
        const helper = await helperOf(host).get();
        const { entries } = await helper.call('tftp.list', { tftpRoot: deps.tftpRoot }).result;
        return { ...where(host), graceMinutes, entries };
      } catch (error) {
        throw hostError(host, error, 'host');
      }
    },

    async rollback(host: string, target: NetbootTarget, version: string): Promise<{ version: string; previous: string | null }> {
      try {
        const helper = await helperOf(host).get();
        const { entry, ...result } = await helper.call('tftp.rollback', { tftpRoot: deps.tftpRoot, target, version }).result;
        if (entry) deps.bus.publish('publish.changed', { ...where(host), status: 'published', entry });
        return result;
      } catch (error) {
        // The tree's own refusal ("keeps no version …") is the operator's to fix too.
        const wrapped = hostError(host, error, 'version');
        throw /keeps no version/.test(wrapped.message) ? new SlipwayError('bad_request', wrapped.message, 'version') : wrapped;
      }
    },
  };
}

export type HostPublisher = ReturnType<typeof createHostPublisher>;
