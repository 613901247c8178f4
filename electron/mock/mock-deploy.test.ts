import { afterEach, describe, expect, it } from 'vitest';
import { deployCommands, type DeployRequestInput, type EventEnvelope, type PayloadOf } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createMockBuilds, type MockBuilds } from './mock-builds.js';
import { createMockDeploy, type MockDeploy } from './mock-deploy.js';
import { fromLogBatch } from '../../shared/contract/log-batch.js';

const ext = (name: string) => `/usr/share/slipway/extensions/${name}`;

function harness(speed = 0) {
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((event) => events.push(event));
  const builds = createMockBuilds({ bus, speed: 0, flushMs: 10 });
  const deploy = createMockDeploy({ bus, builds: () => builds.handlers['builds.list']({}), nodes: async () => ['rack1-n01', 'rack1-n02'], speed, flushMs: 10 });
  open = { builds, deploy };
  const h = deploy.handlers;
  const of = <T extends 'deploy.step' | 'deploy.log'>(topic: T, id: string) =>
    events.filter((e) => e.topic === topic).map((e) => e.payload as PayloadOf<T>).filter((p) => p.id === id);
  const finished = (id: string) =>
    new Promise<void>((resolve) => {
      const check = () => (events.some((e) => e.topic === 'deploy.finished' && (e.payload as { id: string }).id === id) ? resolve() : setTimeout(check, 5));
      check();
    });
  /** Validated as the dispatcher validates it, so defaults are filled in. */
  const start = async (input: Omit<DeployRequestInput, 'image'> & { image?: string }) => {
    const image = input.image ?? (await h['deploy.catalog']({})).images[0]!.ref;
    return h['deploy.start'](deployCommands['deploy.start'].request.parse({ ...input, image }));
  };
  return { h, of, finished, start, events };
}

let open: { builds: MockBuilds; deploy: MockDeploy } | null = null;
afterEach(async () => {
  await open?.deploy.close();
  await open?.builds.close();
  open = null;
});

describe('mock deploy', () => {
  it('lists extensions and the images of succeeded builds, and a history of two deploys', async () => {
    const { h } = harness();
    const catalog = await h['deploy.catalog']({});
    expect(catalog.extensions.map((e) => e.path)).toEqual(expect.arrayContaining([ext('set-hostname.configure'), ext('add-users.configure'), ext('fail.configure')]));
    expect(catalog.images.map((i) => i.name)).toEqual(['bookworm-compute/root', 'bookworm-compute/var']);
    expect(catalog.images[0]!.ref).toMatch(/^.+:root$/);
    const list = await h['deploy.list']({});
    expect(list.map((d) => d.status)).toEqual(['failed', 'succeeded']);
    expect(list[0]).toMatchObject({ failedStep: 'extension-2', output: null });
    expect(list[1]!.output).toMatchObject({ location: '/srv/deploy/compute-base.tar', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('runs every step in order with two extensions, streams batched log lines and masks secrets', async () => {
    const { h, of, finished, start } = harness();
    const { id } = await start({
      extensions: [ext('set-hostname.configure'), ext('add-users.configure')],
      env: { HOSTNAME: 'node-7', USERS: 'ada,bob', USER_PASSWORD: 'hunter2' },
      target: { kind: 'tar', path: '/srv/deploy/node-7.tar' },
    });
    await finished(id);
    const detail = await h['deploy.get']({ id });
    expect(detail.steps.map((s) => [s.id, s.status])).toEqual([
      ['open-image', 'done'], ['mount-lower', 'done'], ['mount-overlay', 'done'], ['extension-1', 'done'], ['extension-2', 'done'], ['metadata', 'done'], ['target', 'done'],
    ]);
    expect(detail.steps[3]!.label).toBe('Run set-hostname.configure');
    expect(detail.summary).toMatchObject({ status: 'succeeded', target: 'tar:/srv/deploy/node-7.tar', output: { location: '/srv/deploy/node-7.tar' } });
    expect(detail.env).toEqual({ HOSTNAME: 'node-7', USERS: 'ada,bob', USER_PASSWORD: '********' });
    const running = of('deploy.step', id).map((p) => p.step).filter((s) => s.status === 'running');
    expect([...new Set(running.map((s) => s.id))]).toEqual(detail.steps.map((s) => s.id));
    const batches = of('deploy.log', id).map((p) => fromLogBatch(p));
    const streamed = batches.flat();
    expect(batches.length).toBeLessThan(streamed.length);
    expect(streamed.map((l) => l.n)).toEqual(streamed.map((_, i) => i));
    expect(streamed.some((l) => l.text.includes('useradd --create-home --shell /bin/bash bob'))).toBe(true);
    expect(streamed.some((l) => l.text.includes('hunter2'))).toBe(false);
    const page = await h['deploy.logs']({ id, from: 0, count: 5_000 });
    expect(page).toEqual({ lines: streamed, total: streamed.length });
    expect(page.lines.at(-1)?.text).toMatch(/released the overlay and image mounts and the temp dir/);
  });

  it('fails at a failing extension, skips the rest and releases the mounts and the temp dir', async () => {
    const { h, finished, start } = harness();
    const { id } = await start({ extensions: [ext('set-hostname.configure'), ext('fail.configure'), ext('add-users.configure')], target: { kind: 'rawdisk', path: '/srv/deploy/x.img' } });
    await finished(id);
    const detail = await h['deploy.get']({ id });
    expect(detail.summary).toMatchObject({ status: 'failed', failedStep: 'extension-2', output: null });
    expect(Object.fromEntries(detail.steps.map((s) => [s.id, s.status]))).toEqual({
      'open-image': 'done', 'mount-lower': 'done', 'mount-overlay': 'done', 'extension-1': 'done', 'extension-2': 'failed', 'extension-3': 'skipped', metadata: 'skipped', target: 'skipped',
    });
    const { lines } = await h['deploy.logs']({ id, from: 0, count: 5_000 });
    const texts = lines.map((l) => l.text);
    expect(lines.find((l) => l.stream === 'err')?.step).toBe('extension-2');
    expect(texts).toEqual(expect.arrayContaining([expect.stringMatching(/^\+ umount .*\/merged$/), expect.stringMatching(/^\+ umount .*\/lower$/), expect.stringMatching(/^\+ rm -rf /)]));
    expect(texts.at(-1)).toMatch(/released the overlay and image mounts and the temp dir/);
  });

  it('asks for overwrite on a target that exists, including one an earlier deploy wrote', async () => {
    const { finished, start } = harness();
    const base = { extensions: [ext('set-hostname.configure')] };
    await expect(start({ ...base, target: { kind: 'tar', path: '/srv/deploy/existing.tar' } })).rejects.toMatchObject({ code: 'bad_request', field: 'overwrite' });
    await expect(start({ ...base, target: { kind: 'tar', path: '/srv/deploy/compute-base.tar' } })).rejects.toMatchObject({ field: 'overwrite' });
    const { id } = await start({ ...base, target: { kind: 'tar', path: '/srv/deploy/existing.tar' }, overwrite: true });
    await finished(id);
    const fresh = await start({ ...base, target: { kind: 'tar', path: '/srv/deploy/new.tar' } });
    await finished(fresh.id);
    await expect(start({ ...base, target: { kind: 'tar', path: '/srv/deploy/new.tar' } })).rejects.toMatchObject({ field: 'overwrite' });
  });

  it('refuses an unknown node, image or extension, naming the field', async () => {
    const { start } = harness();
    await expect(start({ extensions: [], target: { kind: 'ssh-rsync', node: 'nope', path: '/srv/root' } })).rejects.toMatchObject({ code: 'bad_request', field: 'target.node' });
    await expect(start({ image: 'no-such-build', extensions: [], target: { kind: 'tar', path: '/srv/a.tar' } })).rejects.toMatchObject({ field: 'image' });
    await expect(start({ extensions: [ext('set-hostname.configure'), '/opt/nothing.configure'], target: { kind: 'tar', path: '/srv/a.tar' } })).rejects.toMatchObject({ field: 'extensions.1' });
  });

  it('rsyncs to a node of the inventory, with no checksum', async () => {
    const { h, finished, start } = harness();
    const catalog = await h['deploy.catalog']({});
    const { id } = await start({ image: catalog.images[0]!.buildId, extensions: [], target: { kind: 'ssh-rsync', node: 'rack1-n02', path: '/srv/root' } });
    await finished(id);
    const { summary, steps } = await h['deploy.get']({ id });
    expect(summary).toMatchObject({ status: 'succeeded', image: catalog.images[0]!.ref, target: 'ssh-rsync:rack1-n02:/srv/root', output: { location: 'rack1-n02:/srv/root', sha256: null } });
    expect(steps.map((s) => s.id)).toEqual(['open-image', 'mount-lower', 'mount-overlay', 'metadata', 'target']);
  });

  it('cancels a running deploy: the running step is cancelled (not failed) and the rest are skipped', async () => {
    const { h, start } = harness(1);
    const { id } = await start({ extensions: [ext('set-hostname.configure'), '/etc/slipway/extensions/slow.configure'], target: { kind: 'tar', path: '/srv/deploy/slow.tar' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await h['deploy.cancel']({ id })).toEqual({ cancelled: true });
    const detail = await h['deploy.get']({ id });
    expect(detail.summary).toMatchObject({ status: 'cancelled', output: null });
    expect(detail.steps.filter((s) => s.status === 'failed')).toEqual([]);
    const cancelled = detail.steps.filter((s) => s.status === 'cancelled');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.message).toBe('cancelled by the operator');
    expect(detail.steps.at(-1)!.status).toBe('skipped');
    expect(await h['deploy.cancel']({ id })).toEqual({ cancelled: false });
    const { lines } = await h['deploy.logs']({ id, from: 0, count: 5_000 });
    expect(lines.at(-1)!.text).toMatch(/released the overlay and image mounts/);
  });
});
