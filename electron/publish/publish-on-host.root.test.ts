import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TftpTree, type BuildSummary, type NetbootTarget } from '../../shared/contract/index.js';
import { packageRoot } from '../backend/app-paths.js';
import { EventBus } from '../backend/event-bus.js';
import type { BuildHosts } from '../app/build-hosts.js';
import { startHostBuilds, type HostBuilds } from '../builds/test-support/host-builds.js';
import { isUnder } from '../helper/system/mountinfo.js';
import { processIdentity } from '../process/process-identity.js';
import { execaRunner } from '../process/runner.js';
import { canBuild, testSpec, type makeService } from '../builds/test-support/build-harness.js';
import { listTftpTree } from '../lib/tftp-tree/tftp-tree.js';
import { bootLoaderFiles } from '../lib/tftp-tree/boot-loader.js';
import { kernelProblem } from './netboot-magic.js';
import { createPublishService } from './publish-service.js';

const bundle = join(packageRoot(), 'out', 'helper', 'build-helper.mjs');
const canRun = canBuild && existsSync('/usr/sbin/sshd') && existsSync(bundle) && existsSync('/usr/bin/mksquashfs');
const target: NetbootTarget = { arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose: 'compute' };

/*
 * A netboot image built on a build host (an sshd test node on this machine,
 * 127.0.56.70, root) is published into that host's TFTP tree by its helper:
 * nothing of it comes to this machine's tree. The host's disk is this
 * machine's, so what the host holds is read here directly.
 */
describe.runIf(canRun)('netboot publish on the build host that built the image (root, sshd node on 127.0.56.70)', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-publish-host-'));
  const hostWorkspace = join(base, 'host-ws');
  const hostTree = join(base, 'host-tftp');
  const localTree = join(base, 'local-tftp');
  let fixture: HostBuilds;
  let hosts: BuildHosts;
  let build: BuildSummary;
  let builds: ReturnType<typeof makeService>;

  const publisherWith = (hostTftpRoot: string) =>
    createPublishService({
      bus: new EventBus(), stateDir: join(base, 'state'), helpers: builds.helpers, tftpRoot: localTree, graceMs: 3_600_000, imagesDir: join(base, 'images'),
      owner: processIdentity()!, builds: () => builds.service.list(), nodes: () => [], run: execaRunner, httpMain: '/nonexistent', nodeBinary: process.execPath,
      buildHosts: hosts, hostTftpRoot,
    });

  /** What a host job could leave: its directory in the host's workspace, a loop device backed by a file there. */
  const hostLeftovers = () => {
    const jobs = existsSync(join(hostWorkspace, 'builds')) ? readdirSync(join(hostWorkspace, 'builds')).filter((name) => name.startsWith('pub-')) : [];
    const loops = (JSON.parse(execFileSync('losetup', ['--json', '--list', '--output', 'NAME,BACK-FILE'], { encoding: 'utf8' }) || '{}') as { loopdevices?: { 'back-file': string }[] }).loopdevices ?? [];
    return [...jobs, ...loops.filter((loop) => isUnder(loop['back-file'] ?? '', hostWorkspace)).map((loop) => loop['back-file'])];
  };

  beforeAll(async () => {
    fixture = await startHostBuilds(base, { thirdOctet: 56, firstOctet: 70, port: 2366 });
    ({ hosts, builds } = fixture);
    const spec = testSpec(join(base, 'out'), { name: 'publish-on-host', netboot: true, images: [{ name: 'root', size: '2G', mountPoint: '/', label: 'root' }], output: { dir: join(base, 'out'), container: 'raw' } });
    build = await builds.service.start(spec, { host: 'builder' }).done;
    expect(build.error).toBeNull();
  }, 1_200_000);

  afterAll(() => fixture?.close());

  it('publishes kernel, initrd and root image into the host\'s tree, with its boot loader; again is unchanged', { timeout: 600_000 }, async () => {
    const publisher = publisherWith(hostTree);
    const result = await publisher.netboot(target, { kind: 'build', buildId: build.id });
    expect(result).toMatchObject({ status: 'published', host: 'builder', root: hostTree, entry: { ...target, source: build.id } });
    expect(result.entry.rootBytes).toBeGreaterThan(0);
    expect(result.entry.kernelName).toMatch(/^vmlinuz-/);
    // On the host's disk: the versioned tree as this machine's would be, read with the same code.
    expect(listTftpTree(hostTree)).toEqual([result.entry]);
    const version = join(hostTree, 'amd64', 'generic', 'bookworm', '.versions', result.entry.version);
    expect(kernelProblem(readFileSync(join(version, 'kernel')))).toBeNull();
    expect(readFileSync(join(version, 'root.squashfs')).subarray(0, 4).toString('latin1')).toBe('hsqs');
    expect(readFileSync(join(hostTree, result.entry.bootEntry), 'utf8')).toContain(`KERNEL amd64/generic/bookworm/.versions/${result.entry.version}/kernel`);
    if (Object.values(bootLoaderFiles).every((file) => existsSync(file))) expect(readFileSync(join(hostTree, 'pxelinux.0')).equals(readFileSync(bootLoaderFiles['pxelinux.0']))).toBe(true);
    // Nothing of it here, nothing left on the host: its job's mounts, loop device and directory are released.
    expect(existsSync(localTree)).toBe(false);
    expect(hostLeftovers()).toEqual([]);
    // The tree as the console and the CLI read it: through the host's helper.
    expect(await publisher.tree('builder')).toEqual({ host: 'builder', root: hostTree, graceMinutes: 60, entries: [result.entry] });
    const again = await publisher.netboot(target, { kind: 'build', buildId: build.id });
    expect(again).toMatchObject({ status: 'unchanged', host: 'builder', entry: { version: result.entry.version } });
    expect(hostLeftovers()).toEqual([]);
  });

  it('slipway publish ls --host reads the host\'s tree over SSH', { timeout: 120_000 }, () => {
    const env = {
      ...process.env, SLIPWAY_INVENTORY: join(base, 'nodes.yaml'), SLIPWAY_KNOWN_HOSTS: join(base, 'known_hosts'), SLIPWAY_HOST_WORKSPACE: hostWorkspace,
      SLIPWAY_HOST_HELPER_DIR: join(base, 'host-helpers'), SLIPWAY_HOST_TFTP_ROOT: hostTree, SLIPWAY_WORKSPACE: join(base, 'cli-ws'), SLIPWAY_STATE_DIR: join(base, 'cli-state'),
    };
    const cli = (args: string[]) => spawnSync(process.execPath, [join(packageRoot(), 'bin', 'slipway.mjs'), 'publish', ...args], { env, encoding: 'utf8', timeout: 110_000 });
    const listed = cli(['ls', '--host', 'builder', '--json']);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    const tree = TftpTree.parse(JSON.parse(listed.stdout));
    expect(tree).toMatchObject({ host: 'builder', root: hostTree });
    expect(tree.entries.map((e) => `${e.purpose} ${e.source}`)).toEqual([`compute ${build.id}`]);
    const table = cli(['ls', '--host', 'builder']);
    expect(table.stdout.split('\n')[0]).toBe(`builder:${hostTree}`);
    const refused = cli(['ls', '--host', 'not-in-inventory']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('not-in-inventory');
  });

  it('a host tree outside its output roots is refused there, a $(…) in its path is a folder name; a rollback to a version it never kept is refused', { timeout: 600_000 }, async () => {
    await expect(publisherWith('/etc/slipway-tftp').netboot(target, { kind: 'build', buildId: build.id })).rejects.toThrow(
      `on build host builder: refused: TFTP root /etc/slipway-tftp is not under the host's output roots (${tmpdir()})`,
    );
    expect(existsSync('/etc/slipway-tftp')).toBe(false);
    expect(hostLeftovers()).toEqual([]);
    const pwned = join(base, 'slipway-pwned');
    const odd = join(base, `$(touch ${pwned})`, 'tftp');
    const result = await publisherWith(odd).netboot(target, { kind: 'build', buildId: build.id });
    expect(result).toMatchObject({ status: 'published', root: odd });
    expect(listTftpTree(odd).map((e) => e.version)).toEqual([result.entry.version]);
    expect(existsSync(pwned)).toBe(false);
    await expect(publisherWith(hostTree).rollback(target, 'compute-0000000000000000', 'builder')).rejects.toThrow('compute keeps no version compute-0000000000000000');
    // Booting a host's image here needs its files here first.
    await expect(publisherWith(hostTree).kernelOf(build.id, undefined)).rejects.toThrow(`build ${build.id} is on build host builder: fetch its artifacts first`);
  });
});
