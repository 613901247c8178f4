import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';
import { fakeInitrd, fakeKernel } from '../publish/test-support/netboot-files.js';

const canRun = process.getuid?.() === 0 && existsSync(join(packageRoot(), 'out', 'main', 'build-helper.js'));
const slipway = join(packageRoot(), 'bin', 'slipway.mjs');
const sha256 = (path: string) => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;

/** The built CLI as an operator runs it: own state, TFTP root and workspace; a small ext4 image made with mke2fs -d. */
describe.runIf(canRun)('slipway publish and slipway deploy (built CLI, root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-pd-cli-'));
  const tftp = join(dir, 'tftp');
  const image = join(dir, 'small.img');
  const env = {
    ...process.env,
    NO_COLOR: '1',
    SLIPWAY_STATE_DIR: join(dir, 'state'),
    SLIPWAY_WORKSPACE: join(dir, 'work'),
    SLIPWAY_IMAGES_DIR: join(dir, 'images'),
    SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'),
    SLIPWAY_EXTENSIONS_DIRS: join(packageRoot(), 'extensions'),
  };
  const run = (...args: string[]) => spawnSync(process.execPath, [slipway, ...args], { env, encoding: 'utf8', timeout: 120_000 });

  beforeAll(() => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'etc'), { recursive: true });
    writeFileSync(join(tree, 'etc', 'hostname'), 'base\n');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', tree, image, '16M']);
    writeFileSync(join(dir, 'kernel-a'), fakeKernel('kernel-a'));
    writeFileSync(join(dir, 'kernel-b'), fakeKernel('kernel-b'));
    writeFileSync(join(dir, 'initrd-a'), fakeInitrd('initrd-a'));
    writeFileSync(join(dir, 'not-a-kernel'), 'root:x:0:0:root:/root:/bin/bash\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes from files, reports unchanged for the same content, lists the tree', () => {
    const args = ['publish', '--tftp-root', tftp, '--arch', 'amd64', '--release', 'bookworm', '--purpose', 'install'];
    const first = run(...args, '--kernel', join(dir, 'kernel-a'), '--initrd', join(dir, 'initrd-a'));
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^published amd64\/generic\/bookworm\/install → install-[0-9a-f]{16}/);
    const again = run(...args, '--kernel', join(dir, 'kernel-a'), '--initrd', join(dir, 'initrd-a'), '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'unchanged', entry: { purpose: 'install', retained: 0 } });
    expect(run(...args, '--kernel', join(dir, 'kernel-b'), '--initrd', join(dir, 'initrd-a')).stdout).toMatch(/^published/);
    expect(readFileSync(join(tftp, 'amd64/generic/bookworm/install/kernel'))).toEqual(fakeKernel('kernel-b'));
    expect(run('publish', 'ls', '--tftp-root', tftp).stdout).toMatch(/amd64\/generic\/bookworm\/install +install-[0-9a-f]{16} .* 1\n/);

    const bad = run('publish', '--tftp-root', tftp, '--arch', 'amd64', '--release', '../etc', '--purpose', 'x', '--kernel', join(dir, 'kernel-a'), '--initrd', join(dir, 'initrd-a'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--release: "..\/etc" must/);
    const missing = run(...args, '--kernel', join(dir, 'nope'), '--initrd', join(dir, 'initrd-a'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope/);
    // A readable file that is no kernel is refused by name, and nothing changes in the tree (finding 10).
    const listed = run('publish', 'ls', '--tftp-root', tftp).stdout;
    const wrong = run(...args, '--kernel', join(dir, 'not-a-kernel'), '--initrd', join(dir, 'initrd-a'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/not-a-kernel is not a Linux kernel image/);
    expect(run('publish', 'ls', '--tftp-root', tftp).stdout).toBe(listed);
  });

  it('deploys an image file with an extension to a tarball; refuses to replace without --force', () => {
    const before = sha256(image);
    const target = join(dir, 'out', 'node3.tar');
    mkdirSync(join(dir, 'out'));
    const ok = run('deploy', image, '--extension', 'set-hostname.configure', '--env', 'HOSTNAME=node3', '--env', 'ROOT_PASSWORD=hunter2', '--target', `tar:${target}`);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('host name set to node3');
    expect(ok.stdout).toMatch(/deployed .*small\.img → .*node3\.tar/);
    expect(execFileSync('tar', ['-xOf', target, './etc/hostname'], { encoding: 'utf8' })).toBe('node3\n');
    expect(JSON.parse(execFileSync('tar', ['-xOf', target, './slipway/deployment.meta'], { encoding: 'utf8' })).environment.ROOT_PASSWORD).toBe('********');
    expect(sha256(image)).toBe(before);

    const again = run('deploy', image, '--extension', 'set-hostname.configure', '--target', `tar:${target}`);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/exists: it will be replaced \(pass --force to replace it\)/);
    expect(run('deploy', image, '--target', `tar:${target}`, '--force').status).toBe(0);

    const failing = join(dir, 'fail.configure');
    writeFileSync(failing, '#!/bin/sh\necho "no license" >&2\nexit 4\n');
    chmodSync(failing, 0o755);
    const failed = run('deploy', image, '--extension', failing, '--target', `tar:${join(dir, 'out', 'failed.tar')}`, '--json');
    expect(failed.status).toBe(1);
    const finished = failed.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((e) => e.topic === 'deploy.finished');
    expect(finished.payload).toMatchObject({ status: 'failed', failedStep: 'extension-1' });
    expect(existsSync(join(dir, 'out', 'failed.tar'))).toBe(false);
    expect(execFileSync('sh', ['-c', `ls -A ${join(dir, 'work', 'builds')} | wc -l`], { encoding: 'utf8' }).trim()).toBe('0');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(join(dir, 'work'));

    const usage = run('deploy', image, '--target', 'nfs:/x');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/tar:FILE, rawdisk:FILE or ssh-rsync:NODE:PATH/);
  });

  it('a deploy killed outright (CLI and helper) is cleaned by the next run', { timeout: 120_000 }, async () => {
    const slow = join(dir, 'slow.configure');
    writeFileSync(slow, '#!/bin/sh\nsleep 60\n');
    chmodSync(slow, 0o755);
    const child = spawn(process.execPath, [slipway, 'deploy', image, '--extension', slow, '--target', `tar:${join(dir, 'out', 'killed.tar')}`], { env, detached: true, stdio: 'ignore' });
    const builds = join(dir, 'work', 'builds');
    // The mounts live in the helper's private namespace: the running extension is what shows it got that far.
    const extensionRunning = () => spawnSync('pgrep', ['-f', `^/bin/sh ${slow} `]).status === 0;
    for (let i = 0; i < 300 && !extensionRunning(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(extensionRunning()).toBe(true);
    expect(readdirSync(builds)).toHaveLength(1);
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const cleanup = run('build', '--cleanup');
    expect(cleanup.status).toBe(0);
    expect(cleanup.stderr).toMatch(/recovered after an earlier crash: dep-\d{8}-[0-9a-f]{8}: released directory/);
    expect(readdirSync(builds)).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(builds);
  });
});
