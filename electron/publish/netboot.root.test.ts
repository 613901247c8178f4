import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BootRequest, NetbootServeRequest, type BuildSummary, type NodeSpec } from '../../shared/contract/index.js';
import { packageRoot } from '../backend/app-paths.js';
import { EventBus } from '../backend/event-bus.js';
import { createBootService } from '../boot/boot-service.js';
import { bootInQemu, type BootOutcome } from '../boot/qemu-boot.js';
import { accelerator, qemuArgs } from '../boot/qemu-command.js';
import { canBuild, makeService, testSpec } from '../builds/test-support/build-harness.js';
import { processIdentity } from '../process/process-identity.js';
import { execaRunner } from '../process/runner.js';
import { bootLoaderFiles } from '../lib/tftp-tree/boot-loader.js';
import { createPublishService } from './publish-service.js';
import { canMakeNetns, labNetwork, type LabNetwork } from './test-support/lab-netns.js';

const tools = ['/usr/bin/qemu-system-x86_64', '/usr/sbin/dnsmasq', '/usr/bin/mksquashfs', ...Object.values(bootLoaderFiles)];
const missing = tools.filter((path) => !existsSync(path));
const httpMain = join(packageRoot(), 'out', 'main', 'netboot-http.js');
const canRun = canBuild && canMakeNetns && missing.length === 0 && existsSync(httpMain);
if (!canRun) console.warn(`netboot.root.test.ts skipped: needs root, a built out/, debootstrap and ${missing.join(', ') || 'the tools above'}`);

const mac = '52:54:00:77:00:01';
const choice = 'amd64/generic/bookworm/compute';
const target = { arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose: 'compute' };

/**
 * Build → publish → a node boots it, with every real part: a debootstrap image
 * with `netboot: true`, `slipway boot` of it in QEMU (TCG here), a publish with
 * its squashfs root image, dnsmasq and Slipway's HTTP server in a private
 * network namespace, and a QEMU node PXE-booting through its iPXE ROM,
 * pxelinux and its own config by MAC, to its own userspace, which phones home.
 */
describe.runIf(canRun)('netboot, end to end (root, QEMU)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-netboot-'));
  const tftp = join(dir, 'tftp');
  const { service: builds, helpers } = makeService();
  const bus = new EventBus();
  let inventory: NodeSpec[] = [];
  const publisher = createPublishService({
    bus,
    stateDir: join(dir, 'state'),
    helpers,
    tftpRoot: tftp,
    graceMs: 3_600_000,
    imagesDir: join(dir, 'images'),
    owner: processIdentity()!,
    builds: () => builds.list(),
    nodes: () => inventory,
    run: execaRunner,
    httpMain,
    nodeBinary: process.execPath,
  });
  const boots = createBootService({ bus, run: execaRunner, stateDir: join(dir, 'state'), builds: () => builds.list(), kernelOf: (id, image) => publisher.kernelOf(id, image) });
  let build: BuildSummary;
  let lab: LabNetwork | null = null;
  const figures: string[] = [];

  /** A QEMU node on the lab network, PXE-booting from its NIC until the marker shows on its serial console. */
  function bootNode(marker: string, serial: string[]): Promise<BootOutcome> {
    return bootInQemu(execaRunner, qemuArgs({ accel: accelerator(), memoryMiB: 1536, tap: { ifname: lab!.tap, mac } }), {
      marker,
      timeoutMs: 900_000,
      command: { file: 'qemu-system-x86_64', prefix: ['ip', 'netns', 'exec', lab!.netns] },
      onSerial: (line) => serial.push(line),
      onQemu: (line) => serial.push(`qemu: ${line}`),
      onStage: () => undefined,
    });
  }

  beforeAll(async () => {
    // dnsmasq serves the tree as nobody: the test's directory must let others through, as /srv/tftp does.
    chmodSync(dir, 0o755);
    mkdirSync(tftp, { mode: 0o755 });
    const spec = testSpec(join(dir, 'images'), { name: 'itest-netboot', netboot: true, images: [{ name: 'root', size: '2G', mountPoint: '/', label: 'root' }], output: { dir: join(dir, 'images'), container: 'raw' } });
    const started = Date.now();
    build = await builds.start(spec).done;
    expect(build.error).toBeNull();
    figures.push(`build with kernel, live-boot, systemd: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 1_500_000);

  afterAll(async () => {
    await publisher.stop();
    lab?.remove();
    await helpers.close();
    if (figures.length) console.log(`netboot figures (${accelerator().toUpperCase()}):\n  ${figures.join('\n  ')}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('slipway boot: the built image boots in QEMU with its own kernel to its login prompt', { timeout: 900_000 }, async () => {
    const { id, done } = boots.start(BootRequest.parse({ buildId: build.id, timeoutSeconds: 800 }));
    const summary = await done;
    const log = (await boots.logs(id, 0, 5_000)).lines.map((line) => line.text);
    expect(summary.error, log.slice(-20).join('\n')).toBeNull();
    expect(summary).toMatchObject({ status: 'succeeded', stage: 'booted' });
    expect(log.some((line) => /Linux version \d/.test(line))).toBe(true);
    figures.push(`slipway boot to "login:": ${(summary.bootMs! / 1000).toFixed(1)} s`);
  });

  it('a node PXE-boots the published image by its MAC to its own userspace, and phones home', { timeout: 1_200_000 }, async () => {
    inventory = [{ name: 'pxe-node', host: '10.77.0.60', port: 22, user: 'root', identity: null, jump: null, labels: [], mac, netboot: choice }];
    const squashStart = Date.now();
    const published = await publisher.netboot(target, { kind: 'build', buildId: build.id });
    figures.push(`publish with root image: ${((Date.now() - squashStart) / 1000).toFixed(0)} s`);
    const v1 = published.entry.version;
    expect(published.entry.rootBytes).toBeGreaterThan(50 << 20);
    figures.push(`sizes: kernel+initrd ${((published.entry.bytes - published.entry.rootBytes!) / 2 ** 20).toFixed(1)} MiB, root image ${(published.entry.rootBytes! / 2 ** 20).toFixed(1)} MiB`);
    // No services yet: no address to fetch the root image from, so no config, and the node says why.
    expect(publisher.nodes()[0]).toMatchObject({ node: 'pxe-node', next: null, problem: expect.stringMatching(/no netboot HTTP address/) });

    lab = labNetwork();
    await publisher.serve(NetbootServeRequest.parse({ interface: lab.bridge, mode: 'dhcp', dhcpRange: { start: '10.77.0.50', end: '10.77.0.99' }, netns: lab.netns }));
    expect(publisher.status().services.every((s) => s.running)).toBe(true);
    const config = readFileSync(join(tftp, 'pxelinux.cfg', '01-52-54-00-77-00-01'), 'utf8');
    expect(config).toContain(`KERNEL amd64/generic/bookworm/.versions/${v1}/kernel`);
    expect(config).toContain(`fetch=http://10.77.0.1:8740/amd64/generic/bookworm/.versions/${v1}/root.squashfs`);
    expect(readFileSync(join(tftp, 'pxelinux.cfg', 'default'), 'utf8')).toContain('LOCALBOOT 0');

    const serial: string[] = [];
    const outcome = await bootNode(`slipway: booted ${v1}`, serial);
    expect(outcome.status, serial.slice(-25).join('\n')).toBe('booted');
    figures.push(`PXE boot to the phone-home: ${(outcome.bootMs! / 1000).toFixed(1)} s`);
    figures.push(`serial tail: ${serial.slice(-4).join(' | ')}`);
    const [node] = publisher.nodes();
    expect(node).toMatchObject({ next: v1, last: { version: v1 } });
    expect(node!.progress.map((event) => event.stage)).toEqual(expect.arrayContaining(['config', 'kernel', 'initrd', 'root', 'booted']));
    const root = node!.progress.find((event) => event.stage === 'root');
    figures.push(`root image fetch: ${root?.detail}`);
  });

  it('beside the lab\u2019s DHCP server (proxy-DHCP), after a second publish the node boots the new version; a node that read its config before a switch boots that whole version', { timeout: 1_200_000 }, async () => {
    // The usual lab: its own DHCP server hands out addresses; Slipway's dnsmasq only adds the boot offer.
    lab!.startLabDhcp();
    await publisher.serve(NetbootServeRequest.parse({ interface: lab!.bridge, mode: 'proxy-dhcp', netns: lab!.netns }));
    expect(publisher.status().request?.mode).toBe('proxy-dhcp');
    const v1 = (await publisher.tree()).entries[0]!.version;
    // v2: the same kernel and initrd, the root image with one more file (appended: no second compression).
    const versionDir = join(tftp, 'amd64/generic/bookworm/.versions', v1);
    const extra = join(dir, 'extra');
    mkdirSync(extra);
    writeFileSync(join(extra, 'slipway-v2'), 'v2\n');
    const root2 = join(dir, 'root2.squashfs');
    copyFileSync(join(versionDir, 'root.squashfs'), root2);
    execFileSync('mksquashfs', [extra, root2, '-no-progress', '-quiet']);
    chmodSync(root2, 0o644);
    const second = await publisher.netboot(target, { kind: 'files', kernel: join(versionDir, 'kernel'), initrd: join(versionDir, 'initrd'), root: root2 });
    const v2 = second.entry.version;
    expect(v2).not.toBe(v1);
    expect(second.entry.kept).toEqual([v1]);
    expect(readFileSync(join(tftp, 'pxelinux.cfg', '01-52-54-00-77-00-01'), 'utf8')).toContain(`/.versions/${v2}/root.squashfs`);

    const serial: string[] = [];
    const bootStarted = new Date().toISOString();
    // The phone-home line ends with the node's MAC in parentheses: matched there, the version before it has arrived
    // whole (a marker that ends mid-line stops QEMU before the rest of the line is read).
    const booting = bootNode(`(${mac})`, serial);
    // Once the node has read its config (v2), the purpose goes back to v1: the node must still boot v2 whole.
    for (;;) {
      const read = publisher.nodes()[0]!.progress.some((event) => event.stage === 'config' && event.at >= bootStarted.slice(0, 19));
      if (read) break;
      const early = await Promise.race([booting, new Promise<null>((resolve) => setTimeout(() => resolve(null), 250))]);
      if (early) throw new Error(`the node stopped before reading its config: ${serial.slice(-10).join('\n')}`);
    }
    publisher.rollback(target, v1);
    expect(readFileSync(join(tftp, 'pxelinux.cfg', '01-52-54-00-77-00-01'), 'utf8')).toContain(`/.versions/${v1}/root.squashfs`);
    const outcome = await booting;
    expect(outcome.status, serial.slice(-25).join('\n')).toBe('booted');
    expect(serial.find((line) => line.includes('slipway: booted '))).toContain(v2);
    // Its address came from the lab's DHCP server's range, not from Slipway.
    expect(publisher.nodes()[0]!.last?.ip).toMatch(/^10\.77\.0\.1\d\d$/);
    const [node] = publisher.nodes();
    expect(node).toMatchObject({ next: v1, last: { version: v2 } });
    const fetched = node!.progress.filter((event) => ['kernel', 'initrd', 'root'].includes(event.stage)).map((event) => event.detail);
    expect(fetched.every((detail) => detail.startsWith(v2)), fetched.join('\n')).toBe(true);
  });
});
