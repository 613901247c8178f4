import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SlipwayError, type BuildSummary, type NetbootSource, type NetbootTarget, type publishCommands, type TftpEntry } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import type { EventBus } from '../backend/event-bus.js';
import { mockBuildHosts } from './mock-builds.js';

/**
 * The mocked TFTP tree. Content is identified as the real publisher does it,
 * by a hash of what would be copied: a build's image (so a cache-hit rebuild
 * publishes the same content) or the two source paths. Publishing what a
 * purpose already serves is `unchanged`; anything else becomes a new
 * `<purpose>-<16 hex>` version and the previous one is retained for the grace
 * period, then pruned by a later publish, as on a real host.
 */

type PublishCommand = keyof typeof publishCommands;
export type PublishHandlers = Pick<Handlers, PublishCommand>;

export interface MockPublishOptions {
  bus: EventBus;
  /** The builds a publish can start from (the mocked builds' history). */
  builds(): Promise<BuildSummary[]>;
  /** Multiplies the pause a publish takes (copy and fsync): 0 for unit tests. */
  speed?: number;
  now?: () => number;
}

export interface MockPublish {
  handlers: PublishHandlers;
  /** netboot.rollback against these trees: the purpose back at a version it kept, as tftp-publish.ts:rollbackNetboot does. */
  rollback(target: NetbootTarget, version: string, host?: string): Promise<{ version: string; previous: string | null }>;
}

export const tftpRoot = '/srv/tftp';
const graceMinutes = 60;
const publishMs = 350;
const MiB = 1024 ** 2;
const minute = 60_000;

interface Content {
  key: string;
  source: string;
  kernelName: string;
}

interface PurposeRecord {
  entry: TftpEntry;
  content: Content;
  /** Superseded versions still on disk, and when each was retired. */
  retired: { version: string; content: Content; at: number }[];
}

const hex = (text: string) => createHash('sha256').update(text).digest('hex');
const keyOf = (t: NetbootTarget) => `${t.arch}/${t.subarch}/${t.release}/${t.purpose}`;

/** Kernel plus initrd, stable per content: 8 MiB or so, and a 28 to 40 MiB initrd. */
function bytesOf(content: string): number {
  const fraction = Number.parseInt(hex(content).slice(0, 8), 16) / 2 ** 32;
  return Math.round(8 * MiB + (28 + 12 * fraction) * MiB);
}

function entryOf(target: NetbootTarget, content: Content, at: number, kept: readonly string[]): TftpEntry {
  // A build's publish carries a root image (squashfs) too: some 160 MiB for a small node image.
  const rootBytes = content.key.startsWith('image:') ? 160 * MiB + (bytesOf(content.key) % (8 * MiB)) : null;
  return {
    ...target,
    version: `${target.purpose}-${hex(content.key).slice(0, 16)}`,
    bytes: bytesOf(content.key) + (rootBytes ?? 0),
    rootBytes,
    publishedAt: new Date(at).toISOString(),
    source: content.source,
    kernelName: content.kernelName,
    retained: kept.length,
    kept: [...kept],
    bootEntry: `pxelinux.cfg/${target.arch}-${target.subarch}-${target.release}-${target.purpose}`,
  };
}

const fileContent = (kernel: string, initrd: string): Content => ({ key: `files:${kernel}\0${initrd}`, source: kernel, kernelName: kernel.split('/').at(-1) ?? kernel });

export function createMockPublish(options: MockPublishOptions): MockPublish {
  const { bus } = options;
  const speed = options.speed ?? 1;
  const now = options.now ?? Date.now;
  /** One tree per machine: this one's ('') and each build host's an image was published on. */
  const trees = new Map<string, Map<string, PurposeRecord>>([['', new Map()]]);
  const treeOf = (host: string | undefined) => {
    const key = host ?? '';
    if (!trees.has(key)) trees.set(key, new Map());
    return trees.get(key)!;
  };
  const tree = treeOf(undefined);
  /** A tree asked for by name is a build host's: another node keeps none. */
  const buildHostOnly = (host: string | undefined) => {
    if (host !== undefined && !mockBuildHosts.includes(host)) throw new SlipwayError('bad_request', `${host} is not a build host`, 'host');
  };

  /** Where a source is published: a host build's image on its build host, as the real publisher does. */
  async function hostOf(source: NetbootSource): Promise<string | undefined> {
    if (source.kind === 'files') return undefined;
    return (await options.builds()).find((b) => b.id === source.buildId)?.host;
  }

  async function contentOf(source: NetbootSource, target: NetbootTarget): Promise<Content> {
    if (source.kind === 'files') {
      for (const field of ['kernel', 'initrd'] as const) {
        // The mock's stand-in for a file that is not there.
        if (/\/missing[^/]*$/.test(source[field])) throw new SlipwayError('bad_request', `${source[field]}: no such file`, `source.${field}`);
      }
      return fileContent(source.kernel, source.initrd);
    }
    const build = (await options.builds()).find((b) => b.id === source.buildId);
    if (!build) throw new SlipwayError('bad_request', `no build with id ${source.buildId}`, 'source.buildId');
    if (build.status !== 'succeeded') throw new SlipwayError('bad_request', `build ${source.buildId} (${build.name}) did not succeed: it has no image to take a kernel from`, 'source.buildId');
    // The kernel lives in /boot: the boot image when the build has one.
    const artifact = source.image === undefined ? (build.artifacts.find((a) => a.image === 'boot') ?? build.artifacts[0]) : build.artifacts.find((a) => a.image === source.image);
    if (!artifact) throw new SlipwayError('bad_request', `build ${build.name} has no image named ${source.image ?? '(any)'}`, 'source.image');
    return { key: `image:${artifact.rawSha256}`, source: build.id, kernelName: `vmlinuz-6.1.0-27-${target.arch}` };
  }

  function install(target: NetbootTarget, content: Content, at: number, retired: PurposeRecord['retired'] = [], into = tree): TftpEntry {
    const entry = entryOf(target, content, at, [...retired].sort((a, b) => b.at - a.at).map((r) => r.version));
    into.set(keyOf(target), { entry, content, retired });
    return entry;
  }

  // A tree as a lab has it: the install kernel came from yesterday's build and replaced an older one 25 minutes ago.
  const seeded = (async () => {
    const at = now();
    const compute = (await options.builds()).find((b) => b.status === 'succeeded');
    const target = (arch: string, release: string, purpose: string): NetbootTarget => ({ arch, subarch: 'generic', release, purpose });
    const retire = (t: NetbootTarget, seed: string, minutesAgo: number) => ({
      version: `${t.purpose}-${hex(seed).slice(0, 16)}`,
      content: { key: seed, source: `/srv/netboot/${seed.slice(5)}/vmlinuz`, kernelName: 'vmlinuz' },
      at: at - minutesAgo * minute,
    });
    const install1 = target('amd64', 'bookworm', 'install');
    if (compute) install(install1, await contentOf({ kind: 'build', buildId: compute.id }, install1), at - 25 * minute, [retire(install1, 'seed:install-old', 25)]);
    install(target('amd64', 'bookworm', 'rescue'), fileContent('/srv/netboot/rescue/vmlinuz-6.1.0-26-amd64', '/srv/netboot/rescue/initrd.img-6.1.0-26-amd64'), at - 3 * 24 * 60 * minute);
    install(target('amd64', 'bullseye', 'install'), fileContent('/srv/netboot/bullseye/vmlinuz-5.10.0-32-amd64', '/srv/netboot/bullseye/initrd.img-5.10.0-32-amd64'), at - 41 * 24 * 60 * minute);
    const arm = target('arm64', 'bookworm', 'install');
    install(arm, fileContent('/srv/netboot/arm64/vmlinuz-6.1.0-27-arm64', '/srv/netboot/arm64/initrd.img-6.1.0-27-arm64'), at - 10 * minute, [retire(arm, 'seed:arm-1', 40), retire(arm, 'seed:arm-2', 10)]);
  })();

  const sorted = (of = tree) => [...of.values()].map((r) => r.entry).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

  const handlers: PublishHandlers = {
    'publish.tree': async ({ host }) => {
      await seeded;
      buildHostOnly(host);
      return { root: tftpRoot, ...(host === undefined ? {} : { host }), graceMinutes, entries: sorted(treeOf(host)) };
    },
    'publish.netboot': async ({ target, source }) => {
      await seeded;
      const content = await contentOf(source, target);
      const host = await hostOf(source);
      const into = treeOf(host);
      const where = { root: tftpRoot, ...(host === undefined ? {} : { host }) };
      const at = now();
      const record = into.get(keyOf(target));
      if (record && record.content.key === content.key) {
        bus.publish('publish.changed', { ...where, status: 'unchanged', entry: record.entry });
        return { status: 'unchanged', entry: record.entry, pruned: [], ...where };
      }
      if (speed > 0) await sleep(publishMs * speed);
      const superseded = record ? [...record.retired.filter((r) => r.content.key !== content.key), { version: record.entry.version, content: record.content, at }] : [];
      const pruned = superseded.filter((r) => at - r.at >= graceMinutes * minute);
      const entry = install(target, content, at, superseded.filter((r) => !pruned.includes(r)), into);
      bus.publish('publish.changed', { ...where, status: 'published', entry });
      return { status: 'published', entry, pruned: pruned.map((r) => r.version), ...where };
    },
  };

  async function rollback(target: NetbootTarget, version: string, host?: string): Promise<{ version: string; previous: string | null }> {
    await seeded;
    buildHostOnly(host);
    const into = treeOf(host);
    const record = into.get(keyOf(target));
    if (record?.entry.version === version) return { version, previous: version };
    const kept = record?.retired.find((r) => r.version === version);
    if (!record || !kept) throw new SlipwayError('bad_request', `${target.purpose} keeps no version ${version} (kept versions are removed after their grace period)`, 'version');
    const at = now();
    const retired = [...record.retired.filter((r) => r !== kept), { version: record.entry.version, content: record.content, at }];
    const entry = install(target, kept.content, at, retired, into);
    bus.publish('publish.changed', { root: tftpRoot, ...(host === undefined ? {} : { host }), status: 'published', entry });
    return { version, previous: record.entry.version };
  }

  return { handlers, rollback };
}
