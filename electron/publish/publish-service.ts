import { createHash, randomBytes } from 'node:crypto';
import { constants, createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SlipwayError,
  type BuildSummary,
  type NetbootServeRequest,
  type NetbootSource,
  type NetbootStatus,
  type NetbootTarget,
  type NodeBoot,
  type NodeSpec,
  type PublishResult,
  type Artifact,
  type TftpTree,
} from '../../shared/contract/index.js';
import type { HelperSource, HelperSupervisor } from '../helper/helper-supervisor.js';
import { HelperSession } from '../jobs/helper-session.js';
import { mountStagedReadOnly, stageImage, type JobCall } from '../helper/image-mount.js';
import type { EventBus } from '../backend/event-bus.js';
import type { ProcessIdentity } from '../process/process-identity.js';
import type { Runner } from '../process/runner.js';
import { NetbootCache, type NetbootFiles } from './netboot-cache.js';
import { publishNetboot, rollbackNetboot, type VersionOrigin } from '../lib/tftp-tree/tftp-publish.js';
import { listTftpTree } from '../lib/tftp-tree/tftp-tree.js';
import { initrdProblem, kernelProblem, squashfsProblem } from './netboot-magic.js';
import { readOperatorFile } from '../lib/operator-file.js';
import { createNetbootServices } from './netboot-services.js';
import { nodeBoots, readExtraArgs, readPins, syncConfigs } from './netboot-nodes.js';
import { type BootSettings } from './pxe-config.js';
import { installBootLoader } from '../lib/tftp-tree/boot-loader.js';
import { createHostPublisher } from './host-publish.js';

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
  /** The inventory: nodes with a MAC and a netboot choice get their pxelinux config. */
  nodes: () => NodeSpec[];
  run: Runner;
  /** The netboot HTTP server's entry and the node binary that runs it. */
  httpMain: string;
  nodeBinary: string;
  /** How often a started backend reads the services' logs for node progress. */
  progressMs?: number;
  /** The lab's build hosts: an image built on one is published into that host's TFTP tree, by its helper. */
  buildHosts?: { helperOf(name: string): HelperSource };
  /** The TFTP root on build hosts (SLIPWAY_HOST_TFTP_ROOT; default /srv/tftp). */
  hostTftpRoot?: string;
}

/**
 * A root image the operator names: a regular file, readable by others (it is served to the lab), a squashfs, at
 * most 16 GiB, opened without blocking. Copied from that open file (what was checked is what is published, and a
 * later change to the operator's file changes no version) into Slipway's own directory, hashed on the way.
 */
async function operatorRootImage(path: string, intoDir: string): Promise<{ path: string; sha256: string }> {
  const refuse = (why: string) => new SlipwayError('bad_request', `${path}: ${why}`, 'source.root');
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw refuse((error as Error).message);
  }
  const maxBytes = 16 * 1024 ** 3;
  const copy = join(intoDir, `incoming-${randomBytes(6).toString('hex')}.squashfs`);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw refuse('is not a regular file');
    if ((stat.mode & 0o004) === 0) throw refuse('is not readable by others: it would be served to every lab node');
    if (stat.size > maxBytes) throw refuse('is larger than 16 GiB');
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    const problem = squashfsProblem(head);
    if (problem) throw refuse(problem);
    mkdirSync(intoDir, { recursive: true, mode: 0o755 });
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      await pipeline(
        handle.createReadStream({ start: 0, autoClose: false }),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            bytes += chunk.length;
            if (bytes > maxBytes) throw refuse('grew past 16 GiB while it was read');
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(copy, { flags: 'wx', mode: 0o644 }),
      );
    } catch (error) {
      rmSync(copy, { force: true });
      throw error instanceof SlipwayError ? error : refuse((error as Error).message);
    }
    return { path: copy, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

export function createPublishService(deps: PublishServiceDeps) {
  const live = new Set<string>();
  const cache = new NetbootCache(join(deps.stateDir, 'netboot-cache'));
  /** One publish at a time per purpose: two would race for the same link (each still atomic, but the loser's entry could win). */
  const queue = new Map<string, Promise<unknown>>();
  const services = createNetbootServices({ stateDir: deps.stateDir, tftpRoot: deps.tftpRoot, run: deps.run, httpMain: deps.httpMain, node: deps.nodeBinary });
  const onHosts = createHostPublisher({ bus: deps.bus, tftpRoot: deps.hostTftpRoot ?? '/srv/tftp', graceMs: deps.graceMs, owner: deps.owner, ...(deps.buildHosts ? { buildHosts: deps.buildHosts } : {}) });
  const argsFile = join(services.files.dir, 'kernel-args.json');
  const pinsFile = join(services.files.dir, 'node-pins.json');

  function settings(): BootSettings {
    const { record } = services.state();
    const extra = readExtraArgs(argsFile);
    return {
      httpBase: record ? `http://${record.address}:${record.request.httpPort}` : null,
      console: record?.request.console ?? 'ttyS0,115200',
      extraArgs: (purpose) => (Object.hasOwn(extra, purpose) ? extra[purpose]! : ''),
    };
  }

  /** Every netbooting node's config from the tree as it is now (after a publish, a rollback, an inventory or services change). */
  function syncNodes(): void {
    if (!existsSync(deps.tftpRoot)) return;
    syncConfigs(deps.tftpRoot, deps.nodes(), listTftpTree(deps.tftpRoot), settings(), readPins(pinsFile));
  }

  /** A successful build's image: its artifact, and the build host it is on (absent: this machine). */
  function builtImage(buildId: string, imageName: string | undefined): { artifact: Artifact; host: string | undefined } {
    const build = deps.builds().find((b) => b.id === buildId && b.status === 'succeeded');
    const artifact = imageName ? build?.artifacts.find((a) => a.image === imageName) : build?.artifacts[0];
    // A build host's files are not seen from here: its helper finds out when it stages the image.
    if (!artifact || (build!.host === undefined && !existsSync(artifact.path))) throw new SlipwayError('bad_request', `no successful build ${buildId}${imageName ? `:${imageName}` : ''} with its image in place`, 'source.buildId');
    return { artifact, host: build!.host };
  }

  /**
   * The image's kernel and initrd (and, for a netboot, its root image as squashfs), taken out through a
   * read-only mount in the helper; the job is closed whatever happens.
   */
  async function bootFiles(buildId: string, imageName: string | undefined, withRoot: boolean): Promise<NetbootFiles> {
    const { artifact, host } = builtImage(buildId, imageName);
    if (host !== undefined) throw new SlipwayError('bad_request', `build ${buildId} is on build host ${host}: fetch its artifacts first (slipway build fetch) to boot it here`, 'source.buildId');
    // A later build may have replaced the file: what it holds now is not what build names, so nothing is taken from it.
    if (statSync(artifact.path).size !== artifact.containerSize) {
      throw new SlipwayError('bad_request', `${artifact.path} is no longer the image build ${buildId} made (a later build replaced it): build again`, 'source.buildId');
    }
    const cached = cache.get(artifact.containerSha256);
    if (cached && (!withRoot || cached.root || cached.diskless !== null)) return cached;
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
      const extracted: NetbootFiles = await call('boot.extract', { root: lower, dest: join(dir, 'netboot') });
      if (withRoot && extracted.diskless === null) {
        const squashed = await call('root.squash', { root: lower, dest: join(dir, 'netboot', 'root.squashfs') });
        extracted.root = { path: squashed.path, sha256: squashed.sha256 };
      }
      // Into the cache before the job's directory goes: the files outlive the helper's session.
      return cache.put(artifact.containerSha256, extracted);
    } catch (error) {
      throw error instanceof SlipwayError ? error : new SlipwayError('failed', (error as Error).message, 'source');
    } finally {
      // Never throws; what it could not free, the helper's journal recovery finishes.
      await session.close(null);
      live.delete(id);
    }
  }

  function publish(target: NetbootTarget, kernel: string | Buffer, initrd: string | Buffer, origin: VersionOrigin, root?: { path: string; sha256: string }): PublishResult {
    // A version a node is held at stays, past its grace period too.
    const pinned = Object.values(readPins(pinsFile));
    const result = publishNetboot({ root: deps.tftpRoot, ...target }, kernel, initrd, { graceMs: deps.graceMs, origin, pinned, ...(root ? { root } : {}) });
    const entry = listTftpTree(deps.tftpRoot).find((e) => e.arch === target.arch && e.subarch === target.subarch && e.release === target.release && e.purpose === target.purpose);
    if (!entry) throw new SlipwayError('internal', `published ${result.version} but cannot read it back from ${deps.tftpRoot}`);
    syncNodes();
    deps.bus.publish('publish.changed', { root: deps.tftpRoot, status: result.status, entry });
    return { status: result.status, entry, pruned: result.pruned, root: deps.tftpRoot };
  }

  function status(): NetbootStatus {
    const { record, services: running } = services.state();
    return { tftpRoot: deps.tftpRoot, request: record?.request ?? null, httpBase: settings().httpBase, startedAt: record?.startedAt ?? null, services: running, extraArgs: readExtraArgs(argsFile) };
  }

  function nodes(): NodeBoot[] {
    const files = services.files;
    return nodeBoots(deps.tftpRoot, deps.nodes(), existsSync(deps.tftpRoot) ? listTftpTree(deps.tftpRoot) : [], settings(), readPins(pinsFile), { dnsmasq: files.dnsmasqLog, access: files.accessLog, booted: files.bootedLog });
  }

  /** Serve and stop one at a time: two at once would both record their daemons in one file. */
  let serviceChange: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(change: () => Promise<T>): Promise<T> => {
    const next = serviceChange.catch(() => undefined).then(change);
    serviceChange = next;
    return next;
  };

  let poller: NodeJS.Timeout | null = null;
  let lastNodes = '';

  return {
    /** This machine's tree, or a build host's (read there). */
    async tree(host?: string): Promise<TftpTree> {
      if (host !== undefined) return onHosts.tree(host, deps.graceMs / 60_000);
      return { root: deps.tftpRoot, graceMinutes: deps.graceMs / 60_000, entries: listTftpTree(deps.tftpRoot) };
    },

    async netboot(target: NetbootTarget, source: NetbootSource): Promise<PublishResult> {
      // An image built on a build host is published there: its tree, its helper.
      const image = source.kind === 'build' ? builtImage(source.buildId, source.image) : null;
      const host = image?.host;
      const key = `${host ?? ''}:${target.arch}/${target.subarch}/${target.release}/${target.purpose}`;
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
          const root = source.root ? await operatorRootImage(source.root, services.files.dir) : undefined;
          try {
            return publish(target, kernel, initrd, { source: source.kernel, kernelName: null }, root);
          } catch (error) {
            throw new SlipwayError((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'bad_request' : 'failed', (error as Error).message, 'source');
          } finally {
            // The version holds its own link or copy of it by now.
            if (root) rmSync(root.path, { force: true });
          }
        }
        if (host !== undefined) return onHosts.publish(host, source.buildId, image!.artifact, target);
        const files = await bootFiles(source.buildId, source.image, true);
        if (files.diskless) throw new SlipwayError('bad_request', `build ${source.buildId}: ${files.diskless}`, 'source.buildId');
        return publish(target, files.kernel, files.initrd, { source: source.buildId, kernelName: files.kernelName }, files.root);
      });
      queue.set(key, next);
      try {
        return await next;
      } finally {
        if (queue.get(key) === next) queue.delete(key);
      }
    },

    /** A build's kernel and initrd, for a boot test. */
    kernelOf: (buildId: string, image: string | undefined) => bootFiles(buildId, image, false),

    status,
    nodes,

    serve: (request: NetbootServeRequest): Promise<NetbootStatus> => oneAtATime(async () => {
      try {
        installBootLoader(deps.tftpRoot);
      } catch (error) {
        throw new SlipwayError('bad_request', (error as Error).message, 'tftpRoot');
      }
      try {
        await services.serve(request);
      } finally {
        deps.bus.publish('netboot.changed', status());
      }
      // The HTTP address is in every root-image config: rendered again now that it is known.
      syncNodes();
      return status();
    }),

    stop: (): Promise<NetbootStatus> => oneAtATime(async () => {
      await services.stop();
      const now = status();
      deps.bus.publish('netboot.changed', now);
      return now;
    }),

    setArgs(purpose: string, extraArgs: string): NetbootStatus {
      const all = { ...readExtraArgs(argsFile), [purpose]: extraArgs };
      if (!extraArgs) delete all[purpose];
      mkdirSync(services.files.dir, { recursive: true, mode: 0o755 });
      writeFileSync(argsFile, JSON.stringify(all));
      syncNodes();
      const now = status();
      deps.bus.publish('netboot.changed', now);
      return now;
    },

    async rollback(target: NetbootTarget, version: string, host?: string): Promise<{ version: string; previous: string | null }> {
      if (host !== undefined) return onHosts.rollback(host, target, version);
      let result;
      try {
        result = rollbackNetboot({ root: deps.tftpRoot, ...target }, version);
      } catch (error) {
        throw new SlipwayError('bad_request', (error as Error).message, 'version');
      }
      syncNodes();
      const entry = listTftpTree(deps.tftpRoot).find((e) => e.arch === target.arch && e.subarch === target.subarch && e.release === target.release && e.purpose === target.purpose);
      if (entry) deps.bus.publish('publish.changed', { root: deps.tftpRoot, status: 'published', entry });
      return result;
    },

    /** One node held at a version its purpose kept (its config rewritten by one rename), or following its purpose again. */
    pin(node: string, version: string | null): NodeBoot[] {
      const planned = nodes().find((n) => n.node === node);
      if (!planned) throw new SlipwayError('bad_request', `${node} is not a netbooting node (no mac in the inventory)`, 'node');
      if (version !== null && version !== planned.next && !planned.kept.includes(version)) {
        throw new SlipwayError('bad_request', `${version} is not kept for ${planned.choice ?? node}: ${planned.kept.length ? `kept are ${planned.kept.join(', ')}` : 'nothing earlier is kept'}`, 'version');
      }
      const pins = { ...readPins(pinsFile) };
      if (version === null) delete pins[node];
      else pins[node] = version;
      mkdirSync(services.files.dir, { recursive: true, mode: 0o755 });
      writeFileSync(pinsFile, JSON.stringify(pins));
      syncNodes();
      const now = nodes();
      deps.bus.publish('netboot.nodes', now);
      return now;
    },

    /** The inventory changed (a MAC, a netboot choice): configs follow; the inventory's own change stands whatever happens here. */
    inventoryChanged() {
      try {
        syncNodes();
      } catch (error) {
        process.stderr.write(`slipway: pxelinux configs not rewritten after an inventory change: ${(error as Error).message}\n`);
      }
    },

    /** Node boot progress to the console while the services run: read from their logs, sent when it changed. */
    start() {
      poller = setInterval(() => {
        // A tree changed under the listing (a CLI's publish), a state file edited by hand: the next round reads again.
        try {
          if (!services.state().services.some((s) => s.running) && lastNodes) return;
          const now = nodes();
          const text = JSON.stringify(now);
          if (text === lastNodes) return;
          lastNodes = text;
          deps.bus.publish('netboot.nodes', now);
        } catch {
          lastNodes = '';
        }
      }, deps.progressMs ?? 2_000);
      poller.unref();
    },
    close() {
      if (poller) clearInterval(poller);
    },

    liveIds: () => live.values(),
  };
}

export type PublishService = ReturnType<typeof createPublishService>;
