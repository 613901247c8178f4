import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeployRequest, type BuildSummary, type DeployRequestInput } from '../../shared/contract/index.js';
import { packageRoot } from '../backend/app-paths.js';
import { EventBus } from '../backend/event-bus.js';
import type { BuildHosts } from '../app/build-hosts.js';
import { startHostBuilds, type HostBuilds } from '../builds/test-support/host-builds.js';
import { processIdentity } from '../process/process-identity.js';
import { canBuild, leaks, noBaseImages, testSpec, type makeService } from '../builds/test-support/build-harness.js';
import { createDeployService } from './deploy-service.js';

const bundle = join(packageRoot(), 'out', 'helper', 'build-helper.mjs');
const canRun = canBuild && existsSync('/usr/sbin/sshd') && existsSync(bundle);
const tarList = (path: string) => execFileSync('tar', ['-tf', path], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
const tarRead = (path: string, member: string) => execFileSync('tar', ['-xOf', path, member], { encoding: 'utf8' });

/*
 * An image built on a build host (an sshd test node on this machine,
 * 127.0.56.60, root) is deployed there: the host's helper stages it, runs the
 * extensions (copied there from here) and writes the target on the host.
 */
describe.runIf(canRun)('a deploy on the build host that built the image (root, sshd node on 127.0.56.60)', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-deploy-host-'));
  const hostWorkspace = join(base, 'host-ws');
  const helperDir = join(base, 'host-helpers');
  let fixture: HostBuilds;
  let hosts: BuildHosts;
  let build: BuildSummary;
  let deploys: ReturnType<typeof createDeployService>;
  let builds: ReturnType<typeof makeService>;

  beforeAll(async () => {
    fixture = await startHostBuilds(base, { thirdOctet: 56, firstOctet: 60, port: 2365 });
    const { nodes } = fixture.host;
    ({ hosts, builds } = fixture);
    deploys = createDeployService({
      bus: new EventBus(),
      helpers: builds.helpers,
      stateDir: join(base, 'state'),
      imagesDir: join(base, 'images'),
      outputRoots: [tmpdir()],
      extensionDirs: [],
      version: 'test',
      owner: processIdentity()!,
      builds: () => builds.service.list(),
      node: (name) => nodes.access(name),
      recover: () => builds.service.recover(),
      buildHosts: hosts,
    });
    build = await builds.service.start(testSpec(join(base, 'out'), { name: 'deploy-on-host', images: noBaseImages(), postInstall: { hostname: 'on-host' } }), { host: 'builder' }).done;
    expect(build.error).toBeNull();
  }, 600_000);

  afterAll(() => fixture?.close());

  const deploy = async (request: Omit<DeployRequestInput, 'image'>) => (await deploys.start(DeployRequest.parse({ image: build.id, ...request }))).done;

  it('lists the host\'s image, runs the extensions there (copied once, by sha256), and writes the tarball on the host', { timeout: 300_000 }, async () => {
    const image = deploys.catalog().images.find((i) => i.buildId === build.id)!;
    expect(image).toMatchObject({ host: 'builder', name: 'deploy-on-host / root (on builder)' });
    const ext = join(base, 'stamp-ext');
    writeFileSync(ext, '#!/bin/sh\nset -eu\nprintf "%s\\n" "$SLIPWAY_IMAGE" > "$1/etc/stamped"\n');
    chmodSync(ext, 0o755);
    const target = join(base, 'deployed', 'tree.tar');
    const summary = await deploy({ extensions: [ext], target: { kind: 'tar', path: target } });
    expect(summary.error).toBeNull();
    expect(summary).toMatchObject({ status: 'succeeded', host: 'builder', output: { location: target } });
    // On the host (this machine's disk, as the sshd node shares it): the extension's change and the deployment record are in the tree.
    expect(tarList(target)).toEqual(expect.arrayContaining(['./etc/stamped', './slipway/deployment.meta']));
    expect(tarRead(target, './etc/stamped')).toBe(`${build.id}\n`);
    expect(tarRead(target, './etc/hostname')).toBe('on-host\n');
    // The extension ran from its copy beside the host's helpers, named by its sha256.
    expect(readdirSync(join(helperDir, 'extensions'))).toHaveLength(1);
    expect(leaks(join(base, 'deployed'), summary.id, hostWorkspace)).toEqual([]);
    // Again to the same file: refused unless the operator says to replace it, the host asked whether it is there.
    await expect(deploy({ extensions: [ext], target: { kind: 'tar', path: target } })).rejects.toThrow(`builder:${target} exists: it will be replaced`);
    const again = await deploy({ extensions: [ext], target: { kind: 'tar', path: target }, overwrite: true });
    expect(again.status).toBe('succeeded');
    expect(readdirSync(join(helperDir, 'extensions'))).toHaveLength(1);
  });

  it('refuses to sync a node from a host\'s image, before anything runs', async () => {
    await expect(deploys.start(DeployRequest.parse({ image: build.id, extensions: [], target: { kind: 'ssh-rsync', node: 'builder', path: '/srv/x' } }))).rejects.toThrow(
      `${build.id} is on build host builder: a deploy there writes a tarball or a disk image on it; to sync a node, fetch the artifacts here first (slipway build fetch)`,
    );
    expect(deploys.list()).toHaveLength(2);
  });

  it('hostile values stay words: a target path with $(…) is a folder name there, ../ out of the roots and a FIFO extension are refused, nothing runs', { timeout: 300_000 }, async () => {
    const pwned = join(base, 'slipway-pwned');
    const odd = join(base, `$(touch ${pwned})`, '-x.tar');
    const summary = await deploy({ extensions: [], target: { kind: 'tar', path: odd } });
    expect(summary.status).toBe('succeeded');
    expect(existsSync(odd)).toBe(true);
    expect(existsSync(pwned)).toBe(false);
    await expect(deploy({ extensions: [], target: { kind: 'tar', path: `${tmpdir()}/../etc/slipway.tar` } })).rejects.toThrow('is not under an output root');
    const fifo = join(base, 'ext-fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(deploy({ extensions: [fifo], target: { kind: 'tar', path: join(base, 'f.tar') } })).rejects.toThrow(`${fifo} is not an executable file`);
    // The refused ones never began: only the odd-named one joined the two before.
    expect(deploys.list()).toHaveLength(3);
  });
});
