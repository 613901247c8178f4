import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildSummary, DeployRequestInput } from '../../shared/contract/index.js';
import { DeployRequest } from '../../shared/contract/index.js';
import { canBuild, leaks, makeService, testSpec, testWorkspace } from '../builds/test-support/build-harness.js';
import { packageRoot } from '../backend/app-paths.js';
import { EventBus } from '../backend/event-bus.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { createNodeService } from '../nodes/node-service.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';
import { processIdentity } from '../process/process-identity.js';
import { execaRunner } from '../process/runner.js';
import { createPublishService } from '../publish/publish-service.js';
import { createDeployService } from './deploy-service.js';

const sha256 = (path: string) => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
const tarList = (path: string) => execFileSync('tar', ['-tf', path], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
const tarRead = (path: string, member: string) => execFileSync('tar', ['-xOf', path, member], { encoding: 'utf8' });

function extension(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nset -eu\nroot=$1\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe.runIf(canBuild)('overlay deploy and netboot publish of a real built image (root)', () => {
  const out = mkdtempSync(join(tmpdir(), 'slipway-deploy-'));
  const exts = join(out, 'extensions');
  const { service: builds, helpers } = makeService();
  const nodesDir = join(out, 'nodes');
  let fleet: Fleet | null = null;
  const nodes = () =>
    createNodeService({ bus: new EventBus(), inventoryPath: join(nodesDir, 'nodes.yaml'), userKnownHosts: null, ownKnownHosts: join(nodesDir, 'known_hosts'), pollMs: 60_000, interactive: false });
  let nodeService: ReturnType<typeof nodes> | null = null;
  const deploys = createDeployService({
    bus: new EventBus(),
    helpers,
    stateDir: join(out, 'state'),
    imagesDir: join(out, 'images'),
    outputRoots: [tmpdir()],
    extensionDirs: [exts],
    version: 'test',
    owner: processIdentity()!,
    builds: () => builds.list(),
    node: (name) => nodeService!.access(name),
    recover: () => builds.recover(),
  });
  const deploy = async (request: Omit<DeployRequestInput, 'image'>) => (await deploys.start(DeployRequest.parse({ image: build.id, ...request }))).done;
  let build: BuildSummary;
  let imageSum = '';

  beforeAll(async () => {
    mkdirSync(exts);
    await builds.recover();
    // A fake kernel pair is enough to prove the path from an image's /boot to the TFTP tree; a real one only adds download time.
    const spec = testSpec(join(out, 'images'), {
      name: 'itest-deploy',
      postInstall: {
        hostname: 'itest',
        files: [
          { path: '/etc/slipway-test', content: 'ok\n' },
          { path: '/boot/vmlinuz-6.1.0-99-amd64', content: 'kernel 6.1.0-99\n', mode: '0600' },
          { path: '/boot/initrd.img-6.1.0-99-amd64', content: 'initrd 6.1.0-99\n' },
          // What publish checks for a diskless boot (live-boot's files); the real package boots in netboot.root.test.ts.
          { path: '/bin/live-boot', content: '#!/bin/sh\n', mode: '0755' },
          { path: '/usr/share/initramfs-tools/scripts/live', content: '# live\n' },
        ],
      },
    });
    build = await builds.start(spec).done;
    expect(build.error).toBeNull();
    imageSum = sha256(build.artifacts[0]!.path);
  }, 600_000);

  afterAll(async () => {
    await nodeService?.close();
    await fleet?.stop();
    await helpers.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('deploys to a tarball with two extensions; the base image is unchanged', { timeout: 300_000 }, async () => {
    const target = join(out, 'node7.tar');
    const motd = extension(exts, 'motd.configure', 'echo "deployed for $RACK" > "$root/etc/motd"\nrm "$root/etc/slipway-test"\necho "motd written"');
    const summary = await deploy({
      extensions: [join(packageRoot(), 'extensions', 'set-hostname.configure'), motd],
      env: { HOSTNAME: 'node7', RACK: 'rack4', ROOT_PASSWORD: 'hunter2' },
      target: { kind: 'tar', path: target },
    });
    expect(summary.error).toBeNull();
    expect(summary.status).toBe('succeeded');
    expect(summary.output).toMatchObject({ location: target, sha256: sha256(target) });

    const members = tarList(target);
    expect(members).toContain('./etc/motd');
    expect(members).not.toContain('./etc/slipway-test');
    expect(tarRead(target, './etc/hostname')).toBe('node7\n');
    expect(tarRead(target, './etc/motd')).toBe('deployed for rack4\n');
    const meta = JSON.parse(tarRead(target, './slipway/deployment.meta'));
    expect(meta).toMatchObject({ build_id: build.id, spec_sha256: build.specHash, environment: { HOSTNAME: 'node7', RACK: 'rack4', ROOT_PASSWORD: '********' } });
    expect(meta.extensions.map((e: { name: string }) => e.name)).toEqual(['set-hostname.configure', 'motd.configure']);

    const log = (await deploys.logs(summary.id, 0, 5_000)).lines.map((line) => line.text);
    expect(log).toContain('host name set to node7');
    expect(log.join('\n')).not.toContain('hunter2');
    expect(sha256(build.artifacts[0]!.path)).toBe(imageSum);
    expect(leaks(out, summary.id)).toEqual([]);
  });

  it('a failing extension leaves no mount, loop device, temp dir or target', { timeout: 300_000 }, async () => {
    const target = join(out, 'broken.tar');
    const broken = extension(exts, 'broken.configure', 'touch "$root/etc/half-done"\necho "cannot reach the license server" >&2\nexit 3');
    const summary = await deploy({ extensions: [join(packageRoot(), 'extensions', 'set-hostname.configure'), broken], env: { HOSTNAME: 'node8' }, target: { kind: 'tar', path: target } });
    expect(summary.status).toBe('failed');
    expect(summary.failedStep).toBe('extension-2');
    expect(summary.error).toMatch(/extension broken.configure.*exit code 3.*license server/s);
    const steps = deploys.get(summary.id).steps;
    expect(steps.find((s) => s.id === 'target')?.status).toBe('skipped');
    expect(steps.find((s) => s.id === 'release')?.status).toBe('done');
    expect(existsSync(target)).toBe(false);
    expect(leaks(out, summary.id)).toEqual([]);
    expect(sha256(build.artifacts[0]!.path)).toBe(imageSum);
  });

  it('a cancel during an extension releases everything', { timeout: 300_000 }, async () => {
    const slow = extension(exts, 'slow.configure', 'sleep 60');
    const { id, done } = await deploys.start(DeployRequest.parse({ image: build.id, extensions: [slow], target: { kind: 'tar', path: join(out, 'never.tar') } }));
    for (let i = 0; i < 600 && deploys.get(id).steps.find((s) => s.id === 'extension-1')?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 100));
    deploys.cancel(id);
    const summary = await done;
    expect(summary.status).toBe('cancelled');
    expect(leaks(out, id)).toEqual([]);
  });

  it('writes a new disk image holding the merged tree', { timeout: 300_000 }, async () => {
    const target = join(out, 'node9.img');
    const summary = await deploy({ extensions: [join(packageRoot(), 'extensions', 'set-hostname.configure')], env: { HOSTNAME: 'node9' }, target: { kind: 'rawdisk', path: target } });
    expect(summary.error).toBeNull();
    const mnt = join(out, 'mnt');
    mkdirSync(mnt, { recursive: true });
    execFileSync('mount', ['-o', 'loop,ro', target, mnt]);
    try {
      expect(readFileSync(join(mnt, 'etc/hostname'), 'utf8')).toBe('node9\n');
      expect(JSON.parse(readFileSync(join(mnt, 'slipway/deployment.meta'), 'utf8')).build_id).toBe(build.id);
    } finally {
      execFileSync('umount', [mnt]);
    }
    expect(leaks(out, summary.id)).toEqual([]);
  });

  it('refuses to replace an existing target unless told to', async () => {
    const target = join(out, 'exists.tar');
    writeFileSync(target, 'precious');
    await expect(deploys.start(DeployRequest.parse({ image: build.id, extensions: [], target: { kind: 'tar', path: target } }))).rejects.toMatchObject({ field: 'overwrite' });
    expect(readFileSync(target, 'utf8')).toBe('precious');
  });

  it('syncs the merged tree to a node over SSH (ssh-rsync)', { timeout: 300_000 }, async () => {
    fleet = await startFleet({ count: 1, dir: join(nodesDir, 'fleet'), firstOctet: 250, port: 2292, user: 'root' });
    const [node] = fleet.nodes;
    writeFileSync(join(nodesDir, 'known_hosts'), fleet.knownHosts);
    saveInventory(join(nodesDir, 'nodes.yaml'), [{ name: node!.name, host: node!.host, port: node!.port, user: 'root', identity: fleet.clientKey, jump: null, labels: [] }]);
    nodeService = nodes();
    const dest = join(out, 'synced-root');
    mkdirSync(dest);
    writeFileSync(join(dest, 'stale'), 'left from before');
    const request = { image: build.id, extensions: [join(packageRoot(), 'extensions', 'set-hostname.configure')], env: { HOSTNAME: 'node10' }, target: { kind: 'ssh-rsync', node: node!.name, path: dest } };
    await expect(deploys.start(DeployRequest.parse(request))).rejects.toMatchObject({ field: 'overwrite' });
    const summary = await (await deploys.start(DeployRequest.parse({ ...request, overwrite: true }))).done;
    expect(summary.error).toBeNull();
    expect(readFileSync(join(dest, 'etc/hostname'), 'utf8')).toBe('node10\n');
    expect(existsSync(join(dest, 'stale'))).toBe(false);
    expect(existsSync(join(dest, 'slipway/deployment.meta'))).toBe(true);
    expect(leaks(out, summary.id)).toEqual([]);
  });

  it('publishes the image\'s kernel, initrd and root image for netboot, then finds them unchanged', { timeout: 180_000 }, async () => {
    const root = join(out, 'tftp');
    const publisher = createPublishService({
      bus: new EventBus(),
      stateDir: join(out, 'state'),
      helpers,
      tftpRoot: root,
      graceMs: 3_600_000,
      imagesDir: join(out, 'images'),
      owner: processIdentity()!,
      builds: () => builds.list(),
      nodes: () => [],
      run: execaRunner,
      httpMain: join(packageRoot(), 'out', 'main', 'netboot-http.js'),
      nodeBinary: process.execPath,
    });
    const target = { arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose: 'install' };
    const first = await publisher.netboot(target, { kind: 'build', buildId: build.id });
    expect(first.status).toBe('published');
    expect(first.entry).toMatchObject({ source: build.id, kernelName: 'vmlinuz-6.1.0-99-amd64' });
    expect(readFileSync(join(root, 'amd64/generic/bookworm/install/kernel'), 'utf8')).toBe('kernel 6.1.0-99\n');
    expect(readFileSync(join(root, 'amd64/generic/bookworm/install/initrd'), 'utf8')).toBe('initrd 6.1.0-99\n');
    // The root image: the image's tree as squashfs, without /boot, beside the pair in the same version directory.
    expect(readFileSync(join(root, 'amd64/generic/bookworm/install/root.squashfs')).subarray(0, 4).toString('latin1')).toBe('hsqs');
    expect(first.entry.rootBytes).toBeGreaterThan(1 << 20);
    // The second time the kernel comes from the cache: no helper job at all.
    const again = await publisher.netboot(target, { kind: 'build', buildId: build.id });
    expect(again.status).toBe('unchanged');
    expect(existsSync(join(out, 'state', 'netboot-cache', build.artifacts[0]!.containerSha256, 'root.squashfs'))).toBe(true);
    expect((await publisher.tree()).entries).toHaveLength(1);
    expect(readdirSync(join(testWorkspace, 'builds')).filter((name) => name.startsWith('pub-'))).toEqual([]);
    expect(sha256(build.artifacts[0]!.path)).toBe(imageSum);
  });
});
