import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { helperOps } from './helper-protocol.js';
import type { OpenBuild } from './build-registry.js';
import type { OpContext } from './op-context.js';
import { tftpOps, tftpRootProblem } from './tftp-ops.js';
import { Workspace } from './workspace.js';
import { bootLoaderFiles } from '../lib/tftp-tree/boot-loader.js';

const target = { arch: 'amd64', subarch: 'generic', release: 'bookworm', purpose: 'compute' };
const buildId = 'pub-0123456789ab';

describe('a build host\'s TFTP tree, written by its helper', () => {
  let base: string;
  let ctx: OpContext;
  let job: string;
  let tree: string;
  const logged: string[] = [];

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'slipway-tftp-ops-'));
    const workspace = new Workspace(join(base, 'ws'));
    job = workspace.buildDir(buildId);
    mkdirSync(join(job, 'netboot'), { recursive: true });
    writeFileSync(join(job, 'netboot', 'kernel'), 'kernel one');
    writeFileSync(join(job, 'netboot', 'initrd'), 'initrd one');
    tree = join(base, 'out', 'tftp');
    logged.length = 0;
    ctx = {
      workspace,
      outputRoots: [join(base, 'out')],
      operatorUid: process.getuid?.() ?? 0,
      // Only the job's directory is read by these operations (inBuild).
      builds: new Map([[buildId, { id: buildId, dir: job } as unknown as OpenBuild]]),
      run: async () => ({ exitCode: 0, stdout: '', stderr: '' }) as never,
      log: (text) => logged.push(text),
      signal: new AbortController().signal,
    };
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const publish = (overrides: Partial<Record<'tftpRoot' | 'kernel' | 'initrd', string>> = {}) =>
    tftpOps['tftp.publish'](
      helperOps['tftp.publish'].args.parse({
        buildId, tftpRoot: tree, target, kernel: join(job, 'netboot', 'kernel'), initrd: join(job, 'netboot', 'initrd'),
        origin: { source: 'b-1', kernelName: 'vmlinuz-6.1.0-27-amd64' }, graceMs: 3_600_000, ...overrides,
      }),
      ctx,
    );

  it('publishes the job\'s kernel and initrd as a version switched in by one rename, then answers unchanged', async () => {
    const first = await publish();
    expect(first.status).toBe('published');
    expect(first.entry).toMatchObject({ ...target, source: 'b-1', kernelName: 'vmlinuz-6.1.0-27-amd64', bytes: 20, rootBytes: null });
    const release = join(tree, 'amd64', 'generic', 'bookworm');
    expect(readlinkSync(join(release, 'compute'))).toBe(`.versions/${first.entry.version}`);
    expect(readFileSync(join(release, '.versions', first.entry.version, 'kernel'), 'utf8')).toBe('kernel one');
    expect(readFileSync(join(tree, first.entry.bootEntry), 'utf8')).toContain(`KERNEL amd64/generic/bookworm/.versions/${first.entry.version}/kernel`);
    // The boot loader goes beside it when the host has Debian's pxelinux; otherwise the publish says why not.
    if (Object.values(bootLoaderFiles).every((file) => existsSync(file))) {
      expect(first.loader).toBeNull();
      expect(readFileSync(join(tree, 'pxelinux.0')).equals(readFileSync(bootLoaderFiles['pxelinux.0']))).toBe(true);
    } else {
      expect(first.loader).toMatch(/apt-get install pxelinux syslinux-common/);
    }
    expect(logged.at(-1)).toContain(`published amd64/generic/bookworm/compute → ${first.entry.version}`);
    expect((await publish()).status).toBe('unchanged');
    expect((await tftpOps['tftp.list']({ tftpRoot: tree }, ctx)).entries.map((e) => e.version)).toEqual([first.entry.version]);
  });

  it('rolls a purpose back to the version it kept, and refuses one it does not keep', async () => {
    const first = await publish();
    writeFileSync(join(job, 'netboot', 'kernel'), 'kernel two');
    const second = await publish();
    expect(second.entry.kept).toEqual([first.entry.version]);
    const back = await tftpOps['tftp.rollback']({ tftpRoot: tree, target, version: first.entry.version }, ctx);
    expect(back).toMatchObject({ version: first.entry.version, previous: second.entry.version, entry: { version: first.entry.version } });
    await expect(tftpOps['tftp.rollback']({ tftpRoot: tree, target, version: 'compute-00000000deadbeef' }, ctx)).rejects.toThrow(/keeps no version compute-00000000deadbeef/);
  });

  it('takes boot files from the job\'s own directory only', async () => {
    await expect(publish({ kernel: '/etc/passwd' })).rejects.toThrow(/outside the build workspace/);
    const planted = join(job, 'netboot', 'initrd-link');
    symlinkSync('/etc/shadow', planted);
    await expect(publish({ initrd: planted })).rejects.toThrow(/leads outside the build workspace/);
    expect(existsSync(tree)).toBe(false);
  });

  it('writes only under the host\'s output roots, into a real directory', async () => {
    for (const root of ['tftp', '/', join(base, 'out', '..', 'etc'), join(base, 'out', 'tftp') + '/', '/etc/tftp', join(base, 'out')]) {
      await expect(publish({ tftpRoot: root })).rejects.toThrow(/^refused: TFTP root/);
    }
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(join(base, 'out'));
    symlinkSync(elsewhere, tree);
    await expect(publish()).rejects.toThrow(/is not a directory/);
    // A link above the root leads out of the output roots too.
    symlinkSync(elsewhere, join(base, 'out', 'via'));
    await expect(publish({ tftpRoot: join(base, 'out', 'via', 'tftp') })).rejects.toThrow(/leads outside/);
    expect(existsSync(join(elsewhere, 'tftp'))).toBe(false);
    await expect(tftpOps['tftp.list']({ tftpRoot: '/etc' }, ctx)).rejects.toThrow(/not under the host's output roots/);
    expect(tftpRootProblem(join(base, 'out', 'fresh'), ctx.outputRoots)).toBeNull();
  });
});
