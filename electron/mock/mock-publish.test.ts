import { afterEach, describe, expect, it } from 'vitest';
import { publishCommands, type EventEnvelope, type PayloadOf } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createMockBuilds, type MockBuilds } from './mock-builds.js';
import { createMockPublish } from './mock-publish.js';
import { exampleSpec } from './mock-build-specs.js';

const minute = 60_000;

function harness() {
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((event) => events.push(event));
  const builds = createMockBuilds({ bus, speed: 0, flushMs: 10 });
  open = builds;
  let now = Date.now();
  const publish = createMockPublish({ bus, builds: () => builds.handlers['builds.list']({}), speed: 0, now: () => now });
  const changes = () => events.filter((e) => e.topic === 'publish.changed').map((e) => e.payload as PayloadOf<'publish.changed'>);
  const buildNamed = async (name: string) => (await builds.handlers['builds.list']({})).find((b) => b.name === name)!;
  /** Resolves when the build's builds.finished event came: a state, not a time. */
  const finished = (id: string) =>
    new Promise<void>((resolve) => {
      const check = () => (events.some((e) => e.topic === 'builds.finished' && (e.payload as { id: string }).id === id) ? resolve() : setTimeout(check, 5));
      check();
    });
  return { h: publish.handlers, rollback: publish.rollback, builds, finished, changes, buildNamed, later: (ms: number) => (now += ms) };
}

const target = (purpose: string) => publishCommands['publish.netboot'].request.parse({ target: { arch: 'amd64', release: 'bookworm', purpose }, source: { kind: 'files', kernel: '/k', initrd: '/i' } }).target;

let open: MockBuilds | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

describe('mock publish', () => {
  it('starts with a tree of a few purposes, some with retained versions, the install one from the seeded build', async () => {
    const { h, buildNamed } = harness();
    const tree = await h['publish.tree']({});
    expect(tree).toMatchObject({ root: '/srv/tftp', graceMinutes: 60 });
    expect(tree.entries.length).toBeGreaterThanOrEqual(4);
    const install = tree.entries.find((e) => `${e.arch}/${e.subarch}/${e.release}/${e.purpose}` === 'amd64/generic/bookworm/install')!;
    expect(install).toMatchObject({ source: (await buildNamed('bookworm-compute')).id, retained: 1, bootEntry: 'pxelinux.cfg/amd64-generic-bookworm-install' });
    expect(install.version).toMatch(/^install-[0-9a-f]{16}$/);
    expect(tree.entries.some((e) => e.retained >= 2)).toBe(true);
    expect(tree.entries.every((e) => e.bytes > 30 * 1024 ** 2 && e.kernelName?.startsWith('vmlinuz-'))).toBe(true);
    expect(publishCommands['publish.tree'].response.parse(tree)).toEqual(tree);
  });

  it('publishes a build as a new version, then answers unchanged for the same content', async () => {
    const { h, changes, buildNamed } = harness();
    const build = await buildNamed('bookworm-compute');
    const first = await h['publish.netboot']({ target: target('rescue-e2e'), source: { kind: 'build', buildId: build.id } });
    expect(first.status).toBe('published');
    expect(first.entry).toMatchObject({ arch: 'amd64', subarch: 'generic', purpose: 'rescue-e2e', retained: 0, source: build.id });
    expect(first.entry.version).toMatch(/^rescue-e2e-[0-9a-f]{16}$/);
    const again = await h['publish.netboot']({ target: target('rescue-e2e'), source: { kind: 'build', buildId: build.id, image: 'root' } });
    expect(again).toEqual({ status: 'unchanged', entry: first.entry, pruned: [], root: '/srv/tftp' });
    expect(changes().map((c) => c.status)).toEqual(['published', 'unchanged']);
    expect((await h['publish.tree']({})).entries).toContainEqual(first.entry);
  });

  it('retains the superseded version, then prunes it once its grace period is over', async () => {
    const { h, later } = harness();
    const files = (tag: string) => ({ kind: 'files' as const, kernel: `/srv/k-${tag}`, initrd: `/srv/i-${tag}` });
    const a = await h['publish.netboot']({ target: target('lab'), source: files('a') });
    const b = await h['publish.netboot']({ target: target('lab'), source: files('b') });
    expect(b).toMatchObject({ status: 'published', pruned: [], entry: { retained: 1, kernelName: 'k-b', source: '/srv/k-b' } });
    expect(b.entry.version).not.toBe(a.entry.version);
    later(61 * minute);
    const c = await h['publish.netboot']({ target: target('lab'), source: files('c') });
    expect(c.pruned).toEqual([a.entry.version]);
    expect(c.entry.retained).toBe(1);
    // Back to b: it is current again, not retained twice.
    const back = await h['publish.netboot']({ target: target('lab'), source: files('b') });
    expect(back.entry).toMatchObject({ version: b.entry.version, retained: 1 });
  });

  it('refuses a failed or unknown build and a missing file, naming the field', async () => {
    const { h, buildNamed } = harness();
    const failed = await buildNamed('bookworm-gpu');
    await expect(h['publish.netboot']({ target: target('x'), source: { kind: 'build', buildId: failed.id } })).rejects.toMatchObject({ code: 'bad_request', field: 'source.buildId' });
    await expect(h['publish.netboot']({ target: target('x'), source: { kind: 'build', buildId: 'nope' } })).rejects.toMatchObject({ field: 'source.buildId' });
    const compute = await buildNamed('bookworm-compute');
    await expect(h['publish.netboot']({ target: target('x'), source: { kind: 'build', buildId: compute.id, image: 'swap' } })).rejects.toMatchObject({ field: 'source.image' });
    await expect(h['publish.netboot']({ target: target('x'), source: { kind: 'files', kernel: '/srv/missing-vmlinuz', initrd: '/srv/i' } })).rejects.toMatchObject({ field: 'source.kernel' });
  });

  it('leaves names to the contract: one plain name each', () => {
    const request = publishCommands['publish.netboot'].request;
    const parsed = request.safeParse({ target: { arch: 'amd64', release: '../etc', purpose: 'a/b' }, source: { kind: 'files', kernel: '/k', initrd: '/i' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['target.release', 'target.purpose']));
  });

  it('publishes a build host\'s image into that host\'s tree, apart from this machine\'s', async () => {
    const { h, builds, finished, changes } = harness();
    const { id } = await builds.handlers['builds.start']({ specText: exampleSpec.replace('name: bookworm-node', 'name: on-host'), host: 'rack1-n03' });
    await finished(id);
    const build = (await builds.handlers['builds.list']({})).find((b) => b.id === id)!;
    expect(build).toMatchObject({ status: 'succeeded', host: 'rack1-n03' });
    const result = await h['publish.netboot']({ target: target('on-host'), source: { kind: 'build', buildId: build.id } });
    expect(result).toMatchObject({ status: 'published', host: 'rack1-n03', root: '/srv/tftp' });
    expect((await h['publish.tree']({ host: 'rack1-n03' })).entries.map((e) => e.purpose)).toEqual(['on-host']);
    expect((await h['publish.tree']({})).entries.some((e) => e.purpose === 'on-host')).toBe(false);
    expect(changes().at(-1)).toMatchObject({ host: 'rack1-n03', entry: { purpose: 'on-host' } });
    await expect(h['publish.tree']({ host: 'rack1-n01' })).rejects.toThrow('rack1-n01 is not a build host');
  });

  it('rolls a purpose back to a version it kept, on this machine or a build host, and refuses one it did not keep', async () => {
    const { h, rollback, builds, finished, changes } = harness();
    const files = (tag: string) => ({ kind: 'files' as const, kernel: `/srv/k-${tag}`, initrd: `/srv/i-${tag}` });
    const a = await h['publish.netboot']({ target: target('lab'), source: files('a') });
    const b = await h['publish.netboot']({ target: target('lab'), source: files('b') });
    expect(await rollback(target('lab'), a.entry.version)).toEqual({ version: a.entry.version, previous: b.entry.version });
    const lab = (await h['publish.tree']({})).entries.find((e) => e.purpose === 'lab')!;
    expect(lab).toMatchObject({ version: a.entry.version, kernelName: 'k-a', kept: [b.entry.version] });
    expect(changes().at(-1)).toMatchObject({ status: 'published', entry: { version: a.entry.version } });
    await expect(rollback(target('lab'), 'lab-0000000000000000')).rejects.toMatchObject({ code: 'bad_request', field: 'version', message: expect.stringMatching(/keeps no version lab-0000000000000000/) });
    // A build host's tree is its own: this machine's versions are not there.
    await expect(rollback(target('lab'), b.entry.version, 'rack1-n03')).rejects.toMatchObject({ field: 'version' });
    const onHost = async (name: string) => {
      const { id } = await builds.handlers['builds.start']({ specText: exampleSpec.replace('name: bookworm-node', `name: ${name}`), host: 'rack1-n03' });
      await finished(id);
      return h['publish.netboot']({ target: target('lab'), source: { kind: 'build', buildId: id } });
    };
    const first = await onHost('on-host-1');
    const second = await onHost('on-host-2');
    expect([first.host, second.host, second.status]).toEqual(['rack1-n03', 'rack1-n03', 'published']);
    expect(await rollback(target('lab'), first.entry.version, 'rack1-n03')).toEqual({ version: first.entry.version, previous: second.entry.version });
    expect((await h['publish.tree']({ host: 'rack1-n03' })).entries.find((e) => e.purpose === 'lab')?.version).toBe(first.entry.version);
    expect((await h['publish.tree']({})).entries.find((e) => e.purpose === 'lab')?.version).toBe(a.entry.version);
    expect(changes().at(-1)).toMatchObject({ host: 'rack1-n03', entry: { version: first.entry.version } });
  });
});
