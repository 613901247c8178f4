import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';
import { EventBus } from '../backend/event-bus.js';
import { createBuildHosts, type BuildHosts } from '../app/build-hosts.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { createNodeService, type NodeService } from '../nodes/node-service.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';
import { canBuild, leaks, logLineSeen, makeService, noBaseImages, testSpec, testWorkspace } from './test-support/build-harness.js';

const bundle = join(packageRoot(), 'out', 'helper', 'build-helper.mjs');
const canRun = canBuild && existsSync('/usr/sbin/sshd') && existsSync(bundle);
const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/*
 * The build host is an sshd test node on this machine (127.0.56.30, root);
 * its helper keeps its own workspace and helper folder, so it shares nothing
 * with the local builds but the kernel. A second node (127.0.56.31) is not
 * labelled build-host.
 */
describe.runIf(canRun)('a build on a build host over SSH (root, sshd nodes on 127.0.56.x)', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-build-host-'));
  const hostWorkspace = join(base, 'host-ws');
  let fleet: Fleet;
  let nodes: NodeService;
  let hosts: BuildHosts;

  beforeAll(async () => {
    fleet = await startFleet({ count: 2, dir: join(base, 'fleet'), thirdOctet: 56, firstOctet: 30, port: 2362 });
    const [builder, plain] = fleet.nodes;
    saveInventory(join(base, 'nodes.yaml'), [
      { name: 'builder', host: builder!.host, port: builder!.port, user: 'root', identity: fleet.clientKey, jump: null, labels: ['build-host', 'build-slots=1'] },
      { name: 'plain', host: plain!.host, port: plain!.port, user: 'root', identity: fleet.clientKey, jump: null, labels: [] },
    ]);
    writeFileSync(join(base, 'known_hosts'), fleet.knownHosts);
    nodes = createNodeService({ bus: new EventBus(), inventoryPath: join(base, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(base, 'known_hosts'), pollMs: 60_000, interactive: false });
    hosts = createBuildHosts({ access: (name) => nodes.access(name), specs: () => nodes.specs(), bundle, workspace: hostWorkspace, outputRoots: [tmpdir()], helperDir: join(base, 'host-helpers') });
  }, 60_000);
  afterAll(async () => {
    await hosts?.close();
    await nodes?.close();
    await fleet?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('builds on the host, uploading its helper once, and the artifact is the local build\'s, sha256 for sha256', { timeout: 600_000 }, async () => {
    const { service, helpers } = makeService({ buildHosts: hosts });
    try {
      // Reproducible (the output folder is not part of what it derives): the same spec gives the same bytes anywhere.
      const spec = (dir: string) => testSpec(dir, { name: 'onhost', sourceDateEpoch: 1_700_000_000 });
      const remote = service.start(spec(join(base, 'out-host')), { host: 'builder' });
      const onHost = await remote.done;
      expect(onHost.error).toBeNull();
      expect(onHost.status).toBe('succeeded');
      expect(onHost.host).toBe('builder');
      const log = (await service.logs(remote.id, 0, 5_000)).lines.map((l) => l.text);
      expect(log).toContain('helper on builder: uploaded (this version was not there), then started');
      expect(log.some((line) => line.includes('on build host builder, helper in private mount and pid namespaces'))).toBe(true);
      // Its workspace is the host helper's: the build's directory was there, and nothing of it is left.
      expect(leaks(join(base, 'out-host'), remote.id, hostWorkspace)).toEqual([]);

      const local = await service.start(spec(join(base, 'out-local'))).done;
      expect(local.status).toBe('succeeded');
      expect(local.host).toBeUndefined();
      const [hostArtifact] = onHost.artifacts;
      const [localArtifact] = local.artifacts;
      expect(hostArtifact!.containerSha256).toBe(localArtifact!.containerSha256);
      expect(sha256Of(hostArtifact!.path)).toBe(hostArtifact!.containerSha256);
      expect(sha256Of(localArtifact!.path)).toBe(localArtifact!.containerSha256);

      // The same spec again, for any build host: the host that holds its artifacts answers, nothing is built.
      const again = await service.start(spec(join(base, 'out-host')), { host: 'any' }).done;
      expect(again).toMatchObject({ status: 'succeeded', cacheHit: true, host: 'builder', artifacts: onHost.artifacts });
    } finally {
      await helpers.close();
    }
  });

  it('slipway build --host NODE runs it there: the helper already on the host is checked and reused', { timeout: 600_000 }, async () => {
    const specFile = join(base, 'cli.yaml');
    writeFileSync(specFile, testSpec(join(base, 'out-cli'), { name: 'onhost-cli', sourceDateEpoch: 1_700_000_000 }));
    const env = {
      ...process.env,
      SLIPWAY_INVENTORY: join(base, 'nodes.yaml'),
      SLIPWAY_KNOWN_HOSTS: join(base, 'known_hosts'),
      SLIPWAY_HOST_WORKSPACE: hostWorkspace,
      SLIPWAY_HOST_HELPER_DIR: join(base, 'host-helpers'),
      SLIPWAY_WORKSPACE: testWorkspace,
      SLIPWAY_STATE_DIR: mkdtempSync(join(tmpdir(), 'slipway-state-')),
    };
    const cli = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'slipway.mjs'), 'build', '--host', 'builder', '--json', specFile], { env, encoding: 'utf8', timeout: 590_000 });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const events = cli.stdout.trim().split('\n').map((line) => JSON.parse(line) as { topic: string; payload: { host?: string; status?: string; lines?: { text: string }[] } });
    const finished = events.find((e) => e.topic === 'builds.finished')!.payload;
    expect(finished).toMatchObject({ status: 'succeeded', host: 'builder' });
    const texts = events.flatMap((e) => (e.topic === 'builds.log' ? (e.payload.lines ?? []).map((line) => line.text) : []));
    expect(texts).toContain('helper on builder: this version already there (sha256 checked), started');
    // The host's own .deb cache, filled by the first build there: nothing fetched again.
    expect(texts.some((text) => text.startsWith('deb cache hit:') && text.includes(hostWorkspace))).toBe(true);
    expect(texts.some((text) => /^prefetch: 0 \.deb\(s\)/.test(text))).toBe(true);
  });

  it('queues builds for a host with one slot: they run one after the other, `any` takes the free host, a queued one cancels at once', { timeout: 600_000 }, async () => {
    const { service, helpers, bus } = makeService({ buildHosts: hosts });
    const order: string[] = [];
    bus.subscribe((event) => {
      const payload = event.payload as { id?: string; step?: { id: string; status: string } };
      if (event.topic === 'builds.step' && payload.step?.id === 'sparse-files' && payload.step.status === 'running') order.push(`start ${payload.id}`);
      if (event.topic === 'builds.finished') order.push(`end ${payload.id}`);
    });
    try {
      const spec = (name: string) => testSpec(join(base, `out-${name}`), { name, sourceDateEpoch: 1_700_000_000 });
      const a = service.start(spec('queued-a'), { host: 'builder' });
      const b = service.start(spec('queued-b'), { host: 'builder' });
      const c = service.start(spec('queued-c'), { host: 'any' });
      const d = service.start(spec('queued-d'), { host: 'builder' });
      // Each is first looked up in the host's cache (no hit: new names), then queued in the order started.
      const positions = () => [b, c, d].map(({ id }) => service.get(id).summary.queuePosition);
      await new Promise<void>((resolve) => {
        const check = () => positions().every((p) => p !== undefined) && (off(), resolve());
        const off = bus.subscribe(check);
        check();
      });
      expect(service.get(a.id).summary.queuePosition).toBeUndefined();
      expect(positions()).toEqual([1, 2, 3]);
      expect(service.cancel(d.id)).toBe(true);
      expect(await d.done).toMatchObject({ status: 'cancelled', host: 'builder' });
      const [doneA, doneB, doneC] = await Promise.all([a.done, b.done, c.done]);
      expect([doneA, doneB, doneC].map((summary) => `${summary.status}@${summary.host}`)).toEqual(['succeeded@builder', 'succeeded@builder', 'succeeded@builder']);
      expect(order.filter((line) => !line.endsWith(d.id))).toEqual([`start ${a.id}`, `end ${a.id}`, `start ${b.id}`, `end ${b.id}`, `start ${c.id}`, `end ${c.id}`]);
      expect(doneC.queuePosition).toBeUndefined();
    } finally {
      await helpers.close();
    }
  });

  it('a helper killed on the host mid-install: the build fails, a fresh helper there releases it, nothing is left', { timeout: 600_000 }, async () => {
    const { service, helpers, bus } = makeService({ buildHosts: hosts });
    try {
      const installing = logLineSeen(bus, 'I: installing essential packages');
      const { id, done } = service.start(testSpec(join(base, 'out-killed'), { name: 'killed-on-host', images: noBaseImages() }), { host: 'builder' });
      await installing;
      // The helper on the host (this machine): its unshare and node, both named by the helper's path.
      expect(spawnSync('pkill', ['-KILL', '-f', '--', join(base, 'host-helpers', 'build-helper-')]).status).toBe(0);
      const summary = await done;
      expect(summary.status).toBe('failed');
      const log = (await service.logs(id, 0, 100_000)).lines.map((l) => l.text);
      expect(log.some((line) => line.startsWith('recovered:') && line.includes('released'))).toBe(true);
      expect(leaks(join(base, 'out-killed'), id, hostWorkspace)).toEqual([]);
    } finally {
      await helpers.close();
    }
  });

  it('refuses a node that is not a build host, or none of the inventory, before anything starts', () => {
    const { service } = makeService({ buildHosts: hosts });
    const spec = testSpec(join(base, 'out-refused'), { name: 'refused' });
    expect(() => service.start(spec, { host: 'plain' })).toThrow('plain is not a build host: label it build-host in the inventory');
    expect(() => service.start(spec, { host: 'nowhere' })).toThrow('no node named nowhere in the inventory');
    // Without hosts at all, `any` says how to make one.
    const none = makeService({ buildHosts: { ...hosts, hosts: () => [] } });
    expect(() => none.service.start(spec, { host: 'any' })).toThrow('no build host: label an inventory node build-host');
    expect(service.list()).toEqual([]);
  });
});
