import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';
import { EventBus } from '../backend/event-bus.js';
import { createBuildHosts, type BuildHosts } from '../app/build-hosts.js';
import { createArtifactFetch } from './artifact-fetch.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { createNodeService, type NodeService } from '../nodes/node-service.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';
import { canBuild, leaks, logLineSeen, makeService, noBaseImages, tempStateDir, testSpec } from './test-support/build-harness.js';
import { expectEveryLineOnce } from './test-support/host-log-check.js';

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
  let userFleet: Fleet;
  let nodes: NodeService;
  let hosts: BuildHosts;

  beforeAll(async () => {
    fleet = await startFleet({ count: 2, dir: join(base, 'fleet'), thirdOctet: 56, firstOctet: 30, port: 2362 });
    chmodSync(base, 0o755); // the unprivileged test user reads its authorized_keys below it
    userFleet = await startFleet({ count: 1, dir: join(base, 'user-fleet'), thirdOctet: 56, firstOctet: 40, port: 2363, user: 'slipway-test' });
    const [builder, plain] = fleet.nodes;
    const unprivileged = userFleet.nodes[0]!;
    saveInventory(join(base, 'nodes.yaml'), [
      { name: 'builder', host: builder!.host, port: builder!.port, user: 'root', identity: fleet.clientKey, jump: null, labels: ['build-host', 'build-slots=1'] },
      { name: 'plain', host: plain!.host, port: plain!.port, user: 'root', identity: fleet.clientKey, jump: null, labels: [] },
      { name: 'no-root', host: unprivileged.host, port: unprivileged.port, user: userFleet.user, identity: userFleet.clientKey, jump: null, labels: ['build-host'] },
    ]);
    writeFileSync(join(base, 'known_hosts'), fleet.knownHosts + userFleet.knownHosts);
    nodes = createNodeService({ bus: new EventBus(), inventoryPath: join(base, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(base, 'known_hosts'), pollMs: 60_000, interactive: false });
    hosts = createBuildHosts({ access: (name) => nodes.access(name), specs: () => nodes.specs(), bundle, workspace: hostWorkspace, outputRoots: [tmpdir()], helperDir: join(base, 'host-helpers') });
  }, 60_000);
  /** The live helper session's journal on the host: every message it said, numbered. */
  const journalEntries = () => {
    const dir = join(hostWorkspace, 'sessions');
    const [session] = readdirSync(dir).filter((name) => existsSync(join(dir, name, 'helper.sock')));
    return readFileSync(join(dir, session!, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; id: number; text?: string; value?: unknown });
  };
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 100));
  };

  afterAll(async () => {
    await hosts?.close();
    await nodes?.close();
    await fleet?.stop();
    await userFleet?.stop();
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
      // A workspace of its own here: journal recovery at the CLI's start sees only its own builds, never another test's.
      SLIPWAY_WORKSPACE: join(base, 'local-ws'),
      SLIPWAY_STATE_DIR: tempStateDir(),
    };
    const cli = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'slipway.mjs'), 'build', '--host', 'builder', '--json', specFile], { env, encoding: 'utf8', timeout: 590_000 });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const events = cli.stdout.trim().split('\n').map((line) => JSON.parse(line) as { topic: string; payload: { id?: string; host?: string; status?: string; lines?: { text: string }[] } });
    const finished = events.find((e) => e.topic === 'builds.finished')!.payload;
    expect(finished).toMatchObject({ status: 'succeeded', host: 'builder' });
    const texts = events.flatMap((e) => (e.topic === 'builds.log' ? (e.payload.lines ?? []).map((line) => line.text) : []));
    expect(texts).toContain('helper on builder: this version already there (sha256 checked), started');
    // The host's own .deb cache, filled by the first build there: nothing fetched again.
    expect(texts.some((text) => text.startsWith('deb cache hit:') && text.includes(hostWorkspace))).toBe(true);
    expect(texts.some((text) => /^prefetch: 0 \.deb\(s\)/.test(text))).toBe(true);

    // slipway build fetch: the artifacts here, each line naming its file and its checked sum.
    const fetched = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'slipway.mjs'), 'build', 'fetch', finished.id!, '--to', join(base, 'cli-fetched')], { env, encoding: 'utf8', timeout: 300_000 });
    expect(fetched.stderr).toBe('');
    expect(fetched.status).toBe(0);
    const artifact = (finished as unknown as { artifacts: { path: string; containerSha256: string }[] }).artifacts[0]!;
    const here = join(base, 'cli-fetched', basename(artifact.path));
    expect(fetched.stdout).toContain(`${here}  `);
    expect(fetched.stdout).toContain(`copied, sha256 ${artifact.containerSha256.slice(0, 16)}… checked`);
    expect(sha256Of(here)).toBe(artifact.containerSha256);
  });

  it('Fetch artifacts: copied here over SFTP, a partial copy resumed where it stopped, sha256 checked; a wrong partial file is started over', { timeout: 600_000 }, async () => {
    const { service, helpers, bus } = makeService({ buildHosts: hosts });
    try {
      // The first test's build, found again on the host as a cache hit: a host build with artifacts there.
      const spec = testSpec(join(base, 'out-host'), { name: 'onhost', sourceDateEpoch: 1_700_000_000 });
      const { id, done } = service.start(spec, { host: 'any' });
      const built = await done;
      expect(built).toMatchObject({ status: 'succeeded', cacheHit: true, host: 'builder' });
      const artifact = built.artifacts[0]!;
      const fetcher = createArtifactFetch({ bus, outputRoots: [tmpdir()], get: (buildId) => service.get(buildId), download: (host, remote, local, onProgress) => hosts.resumeDownload(host, remote, local, onProgress) });
      const to = join(base, 'fetched');
      const name = basename(artifact.path);
      // A fetch cut halfway left the first half of the artifact as its partial file.
      const bytes = readFileSync(artifact.path);
      const half = Math.floor(bytes.length / 2);
      mkdirSync(to, { recursive: true });
      writeFileSync(join(to, `${name}.part`), bytes.subarray(0, half));
      const progress: number[] = [];
      bus.subscribe((event) => {
        const payload = event.payload as { file?: string; done?: number };
        if (event.topic === 'builds.fetchProgress' && payload.file === name) progress.push(payload.done!);
      });
      const first = await fetcher.fetch(id, to);
      expect(first.files[0]).toMatchObject({ name, path: join(to, name), bytes: bytes.length, resumedFrom: half, sha256: artifact.containerSha256, present: false });
      expect(sha256Of(join(to, name))).toBe(artifact.containerSha256);
      expect(progress[0]).toBeGreaterThan(half);
      expect(progress.at(-1)).toBe(bytes.length);
      // The metadata came too, and no partial file is left.
      expect(first.files.map((file) => file.name)).toEqual([name, basename(built.metadataPath!)]);
      expect(readFileSync(join(to, basename(built.metadataPath!)), 'utf8')).toBe(readFileSync(built.metadataPath!, 'utf8'));
      expect(readdirSync(to).filter((file) => file.endsWith('.part'))).toEqual([]);
      // Again: already here, checked, nothing copied.
      expect((await fetcher.fetch(id, to)).files[0]).toMatchObject({ present: true, sha256: artifact.containerSha256 });
      // A partial file that is not a beginning of the artifact: the sum does not add up, it is fetched again whole.
      rmSync(join(to, name));
      writeFileSync(join(to, `${name}.part`), Buffer.alloc(4096, 0x5a));
      const again = await fetcher.fetch(id, to);
      expect(again.files[0]).toMatchObject({ resumedFrom: 4096, sha256: artifact.containerSha256, present: false });
      expect(sha256Of(join(to, name))).toBe(artifact.containerSha256);
      // Refusals: outside the output roots, a build of this machine.
      await expect(fetcher.fetch(id, '/etc/slipway-fetch')).rejects.toThrow(/\/etc\/slipway-fetch is not under an allowed output root/);
      // The first test's local build of the same spec: a cache hit here, a build of this machine.
      const local = await service.start(testSpec(join(base, 'out-local'), { name: 'onhost', sourceDateEpoch: 1_700_000_000 })).done;
      expect(local).toMatchObject({ status: 'succeeded', cacheHit: true });
      await expect(fetcher.fetch(local.id, to)).rejects.toThrow(`build ${local.id} ran on this machine: its artifacts are here already`);
    } finally {
      await helpers.close();
    }
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

  it('the connection cut mid-install (the host\'s sshd stopped, started again): the build goes on there and finishes, its log has every line the host logged, once, and shows the gap', { timeout: 600_000 }, async () => {
    const { service, helpers, bus } = makeService({ buildHosts: hosts });
    const host = fleet.nodes[0]!.name;
    try {
      const installing = logLineSeen(bus, 'I: installing essential packages');
      const lost = logLineSeen(bus, 'connection to build host builder lost at ');
      const back = logLineSeen(bus, 're-attached to build host builder at ');
      const { id, done } = service.start(testSpec(join(base, 'out-cut'), { name: 'cut-on-host', images: noBaseImages() }), { host: 'builder' });
      await installing;
      await fleet.stopNode(host);
      await lost;
      // The host goes on without us: its journal grows while nobody is attached.
      const grown = journalEntries().length;
      await until(() => journalEntries().length > grown + 10);
      await fleet.startNode(host);
      nodes.access('builder').retryNow();
      await back;
      const summary = await done;
      expect(summary.error).toBeNull();
      expect(summary.status).toBe('succeeded');
      const log = (await service.logs(id, 0, 100_000)).lines.map((l) => l.text);
      // What the host logged for this build (its calls from build.open on), in order: all in the console's log, in the same order, none twice.
      const entries = journalEntries();
      const opened = entries.findIndex((e) => e.type === 'result' && JSON.stringify(e.value ?? '').includes(`/builds/${id}"`));
      const firstCall = entries[opened]!.id;
      const hostLines = entries.filter((e) => e.type === 'log' && e.id >= firstCall).map((e) => e.text!);
      expectEveryLineOnce(hostLines, log);
      // The gap is shown where it was: lost, then back, in that order.
      const lostAt = log.findIndex((line) => line.startsWith('connection to build host builder lost at '));
      const backAt = log.findIndex((line) => line.startsWith('re-attached to build host builder at '));
      expect(backAt).toBeGreaterThan(lostAt);
      // Nothing of the host's between the two: what it said meanwhile follows the re-attach, replayed.
      expect(log.slice(lostAt + 1, backAt).filter((line) => hostLines.includes(line))).toEqual([]);
      expect(leaks(join(base, 'out-cut'), id, hostWorkspace)).toEqual([]);
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
  it('a build host without root: a build named for it fails before anything runs there, saying what to do; `any` leaves it out', { timeout: 600_000 }, async () => {
    const { service, helpers } = makeService({ buildHosts: hosts });
    try {
      const { id, done } = service.start(testSpec(join(base, 'out-no-root'), { name: 'no-root' }), { host: 'no-root' });
      const refused = await done;
      expect(refused.status).toBe('failed');
      expect(refused.error).toMatch(/^build host no-root cannot run this build: no root there: .*slipway-test ALL=\(ALL\) NOPASSWD: ALL/);
      // Refused before anything ran there: no helper was started, no step ran.
      const log = (await service.logs(id, 0, 1_000)).lines.map((l) => l.text);
      expect(log.some((line) => line.includes('helper on no-root'))).toBe(false);
      expect(service.get(id).steps.every((step) => step.status === 'pending' || step.status === 'skipped')).toBe(true);
    } finally {
      await helpers.close();
    }
  });
});
