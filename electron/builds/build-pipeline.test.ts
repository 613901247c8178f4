import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildSteps, type StepId, type StepState } from '../../shared/contract/index.js';
import { parseSpecText } from '../../shared/builds/spec-text.js';
import { BuildRun, initialSteps, type PipelineInput } from './build-pipeline.js';
import type { CallHandle, HelperClient, HelperLog } from './helper/helper-client.js';
import type { HelperArgs, HelperOp } from './helper/helper-protocol.js';
import { specHash } from './spec-hash.js';

const mirror = 'http://mirror.lab.example/debian';

// Images listed deepest first on purpose: the pipeline must mount shallowest first whatever the order.
const specText = `
name: lab
suite: bookworm
packages: [curl, less]
repos:
  - name: lab-tools
    uri: https://apt.lab.example/debian
    suite: stable
    priority: 900
images:
  - name: mysql
    size: 1G
    mountPoint: /var/lib/mysql
  - name: root
    size: 2G
    mountPoint: /
    label: root
  - name: var
    size: 1G
    fsType: ext3
    mountPoint: /var
postInstall:
  hostname: lab
  rootAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx7 op@lab"]
  files:
    - path: /etc/motd
      content: "lab node\\n"
output:
  dir: /srv/images
`;

const parsed = parseSpecText(specText, (raw) => ({ mirror, ...raw }));
if (!parsed.ok) throw new Error(`test spec is invalid: ${JSON.stringify(parsed.problems)}`);
const spec = parsed.spec;

const buildId = '20250101-abcd1234';
const dir = `/ws/builds/${buildId}`;
const root = `${dir}/root`;
const owner = { pid: 4242, startTime: '987654' };

const dpkgStatus = `Package: less
Status: install ok installed
Architecture: amd64
Version: 590-2.1~deb12u2

Package: curl
Status: install ok installed
Architecture: amd64
Version: 7.88.1-10+deb12u8

Package: libssl1.1
Status: deinstall ok config-files
Architecture: amd64
Version: 1.1.1w-0+deb11u1
`;

const cancelledError = () => Object.assign(new Error('cancelled'), { cancelled: true });

interface Call {
  op: HelperOp;
  args: Record<string, unknown>;
  cancelled: boolean;
}

type Responder = (args: Record<string, unknown>, onLog: (log: HelperLog) => void) => unknown;

/** A helper that answers every operation plausibly and records what was asked, in order. */
class FakeHelper implements HelperClient {
  readonly namespaced = true;
  readonly pid = undefined;
  readonly exited = new Promise<string>(() => {});
  readonly calls: Call[] = [];
  readonly respond: Partial<Record<HelperOp, Responder>> = {};
  /** What a cancelled call rejects with. */
  cancelError: () => Error = cancelledError;
  private nextLoop = 7;

  call<T>(op: HelperOp, args: HelperArgs<HelperOp>, onLog?: (log: HelperLog) => void): CallHandle<T> {
    const call: Call = { op, args: args as Record<string, unknown>, cancelled: false };
    this.calls.push(call);
    let cancel: () => void = () => {};
    const cancelled = new Promise<never>((_resolve, reject) => {
      cancel = () => {
        call.cancelled = true;
        reject(this.cancelError());
      };
    });
    const responder = this.respond[op] ?? ((a: Record<string, unknown>) => this.answer(op, a));
    const answer = Promise.resolve().then(() => responder(call.args, onLog ?? (() => {})));
    return { result: Promise.race([answer, cancelled]) as Promise<T>, cancel };
  }

  private answer(op: HelperOp, args: Record<string, unknown>): unknown {
    const digest = (seed: string, size: number) => ({ size, md5: seed.repeat(32).slice(0, 32), sha256: seed.repeat(64).slice(0, 64) });
    switch (op) {
      case 'build.open':
        return { dir, cacheDir: '/ws/cache' };
      case 'file.sparse':
        return { path: args.path };
      case 'loop.attach':
        return { device: `/dev/loop${this.nextLoop++}` };
      case 'chroot.exec':
        return { stdout: '' };
      case 'file.read':
        return { content: dpkgStatus };
      case 'chroot.stop':
        return { terminated: [], killed: [] };
      case 'loop.detach':
        return { detached: [] };
      case 'fs.shrink':
        return { bytes: 300 * 2 ** 20 };
      case 'artifact.pack':
        return { raw: digest('a', 300 * 2 ** 20), container: digest('c', 90 * 2 ** 20) };
      case 'artifact.place':
        return { path: args.dest };
      case 'build.close':
        return { released: [`mount at ${root}`, `directory ${dir}`], failed: [] };
      default:
        return {};
    }
  }

  ops(): HelperOp[] {
    return this.calls.map((c) => c.op);
  }

  /** Resolves when op is first called. */
  reached(op: HelperOp): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.calls.some((c) => c.op === op) ? resolve() : setTimeout(check, 1));
      check();
    });
  }

  async close(): Promise<void> {}
}

interface LogRecord {
  step: StepId | null;
  stream: HelperLog['stream'];
  text: string;
}

function harness(patch: Partial<PipelineInput> = {}) {
  const helper = new FakeHelper();
  const events: StepState[] = [];
  const logs: LogRecord[] = [];
  const input: PipelineInput = { buildId, spec, mirror, specHash: specHash(spec), version: '0.1.0-test', owner, helper, ...patch };
  const run = new BuildRun(input, {
    step: (state) => events.push(state),
    log: (step, stream, text) => logs.push({ step, stream, text }),
  });
  return { helper, run, events, logs };
}

/** One line per helper call: the operation and what it acts on. */
function brief({ op, args }: Call): string {
  const s = (key: string) => String(args[key]);
  switch (op) {
    case 'build.open':
      return `build.open ${s('outputDir')}`;
    case 'file.sparse':
      return `file.sparse ${s('path')} ${s('bytes')}`;
    case 'mkfs':
      return `mkfs ${s('device')} ${(args.fs as { name: string }).name}`;
    case 'mount':
      return `mount ${s('source')} ${s('target')} ${s('type')}`;
    case 'loop.autoclear':
      return `loop.autoclear ${s('device')} ${s('file')}`;
    case 'debootstrap':
      return `debootstrap ${s('suite')} ${s('target')}`;
    case 'chroot.exec':
      return `chroot.exec ${(args.argv as string[]).join(' ')}`;
    case 'file.write':
      return `file.write ${s('path')} ${(args.mode as number).toString(8)}`;
    case 'artifact.pack':
      return `artifact.pack ${s('source')} ${s('dest')}`;
    case 'build.close':
      return 'build.close';
    default:
      return `${op} ${s((['path', 'file', 'target', 'root', 'dest'] as const).find((k) => k in args) ?? 'buildId')}`;
  }
}

const G = 2 ** 30;

/** fuel-agent's order, for this spec, step by step. */
const sequence: Record<StepId, string[]> = {
  'sparse-files': ['build.open /srv/images', `file.sparse ${dir}/mysql.img ${G}`, `file.sparse ${dir}/root.img ${2 * G}`, `file.sparse ${dir}/var.img ${G}`],
  'loop-devices': [`loop.attach ${dir}/mysql.img`, `loop.attach ${dir}/root.img`, `loop.attach ${dir}/var.img`],
  mkfs: ['mkfs /dev/loop7 mysql', 'mkfs /dev/loop8 root', 'mkfs /dev/loop9 var'],
  'chroot-dir': [`dir.make ${root}`],
  // Shallowest first, whatever the spec's order; autoclear once all are mounted.
  mount: [
    `dir.make ${root}`,
    `mount /dev/loop8 ${root} ext4`,
    `dir.make ${root}/var`,
    `mount /dev/loop9 ${root}/var ext3`,
    `dir.make ${root}/var/lib/mysql`,
    `mount /dev/loop7 ${root}/var/lib/mysql ext4`,
    `loop.autoclear /dev/loop7 ${dir}/mysql.img`,
    `loop.autoclear /dev/loop8 ${dir}/root.img`,
    `loop.autoclear /dev/loop9 ${dir}/var.img`,
  ],
  debootstrap: [`debootstrap bookworm ${root}`],
  // apt configured and proc mounted before any apt-get.
  'install-packages': [
    `file.write ${root}/usr/sbin/policy-rc.d 755`,
    `file.write ${root}/etc/apt/sources.list 644`,
    `file.write ${root}/etc/apt/apt.conf.d/90slipway-build 644`,
    `file.write ${root}/etc/apt/preferences.d/slipway 644`,
    `mount proc ${root}/proc proc`,
    'chroot.exec apt-get update',
    'chroot.exec apt-get install -y curl less',
    'chroot.exec apt-get clean',
  ],
  'post-install': [
    `file.write ${root}/etc/hostname 644`,
    `file.write ${root}/etc/hosts 644`,
    `dir.make ${root}/root/.ssh`,
    `file.write ${root}/root/.ssh/authorized_keys 600`,
    `file.write ${root}/etc/motd 644`,
    `file.remove ${root}/usr/sbin/policy-rc.d`,
    `file.remove ${root}/etc/apt/apt.conf.d/90slipway-build`,
    `file.read ${root}/var/lib/dpkg/status`,
  ],
  // Chrooted processes stopped, then deepest first, proc first of all.
  unmount: [`chroot.stop ${root}`, `umount ${root}/proc`, `umount ${root}/var/lib/mysql`, `umount ${root}/var`, `umount ${root}`],
  detach: [`loop.detach ${dir}/mysql.img`, `loop.detach ${dir}/root.img`, `loop.detach ${dir}/var.img`],
  shrink: [`fs.shrink ${dir}/mysql.img`, `fs.shrink ${dir}/root.img`, `fs.shrink ${dir}/var.img`],
  compress: [
    `artifact.pack ${dir}/mysql.img /srv/images/lab.mysql.img.gz`,
    `artifact.pack ${dir}/root.img /srv/images/lab.root.img.gz`,
    `artifact.pack ${dir}/var.img /srv/images/lab.var.img.gz`,
  ],
  publish: [
    'artifact.place /srv/images/lab.mysql.img.gz',
    'artifact.place /srv/images/lab.root.img.gz',
    'artifact.place /srv/images/lab.var.img.gz',
    'file.write /srv/images/lab.yaml 644',
  ],
};

const stepIds = buildSteps.map((s) => s.id);
/** The calls of the steps up to and including `last`, then build.close. */
const callsThrough = (last: StepId) => [...stepIds.slice(0, stepIds.indexOf(last) + 1).flatMap((id) => sequence[id]), 'build.close'];
const fullSequence = callsThrough('publish');
const statuses = (steps: readonly StepState[]) => steps.map((s) => s.status);

describe('initialSteps', () => {
  it('lists the 13 steps in order, all pending', () => {
    const steps = initialSteps();
    expect(steps.map((s) => s.id)).toEqual(stepIds);
    expect(steps).toHaveLength(13);
    expect(steps.every((s) => s.status === 'pending' && s.startedAt === null && s.durationMs === null && s.message === null)).toBe(true);
  });
});

describe('BuildRun', () => {
  it('runs the 13 steps in order and ends with every step done, timed', async () => {
    const { helper, run, events } = harness({ now: () => new Date('2025-01-01T12:00:00.000Z') });
    // One slow operation, so a duration is measurable.
    helper.respond.debootstrap = () => new Promise((resolve) => setTimeout(() => resolve({}), 30));
    const outcome = await run.run();

    expect(outcome).toMatchObject({ status: 'succeeded', failedStep: null, error: null, metadataPath: '/srv/images/lab.yaml', unreleased: [] });
    expect(outcome.released).toEqual([`mount at ${root}`, `directory ${dir}`]);
    expect(run.steps.map((s) => s.id)).toEqual(stepIds);
    expect(statuses(run.steps)).toEqual(stepIds.map(() => 'done'));
    for (const step of run.steps) {
      expect(step.startedAt).toBe('2025-01-01T12:00:00.000Z');
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
      expect(step.message).toEqual(expect.any(String));
    }
    expect(run.steps.find((s) => s.id === 'debootstrap')!.durationMs).toBeGreaterThanOrEqual(25);
    // Each step was announced running, then done, one after the other.
    expect(events.map((e) => `${e.id}:${e.status}`)).toEqual(stepIds.flatMap((id) => [`${id}:running`, `${id}:done`]));
  });

  it('calls the helper in fuel-agent\'s order: shallowest mount first, proc before apt-get, deepest unmount first, build.close last', async () => {
    const { helper, run } = harness();
    await run.run();
    expect(helper.calls.map(brief)).toEqual(fullSequence);
    expect(helper.calls.every((c) => c.args.buildId === buildId)).toBe(true);
  });

  it('passes what each operation needs', async () => {
    const { helper, run } = harness();
    await run.run();
    const args = (op: HelperOp) => helper.calls.filter((c) => c.op === op).map((c) => c.args);
    expect(args('build.open')).toEqual([{ buildId, outputDir: '/srv/images', owner }]);
    expect(args('mkfs')[1]).toMatchObject({ device: '/dev/loop8', fs: { name: 'root', fsType: 'ext4', label: 'root', mountPoint: '/' } });
    expect(args('debootstrap')).toEqual([
      { buildId, suite: 'bookworm', mirror, variant: 'minbase', arch: 'amd64', target: root, tarball: expect.stringMatching(/^\/ws\/cache\/debootstrap\/bookworm-amd64-minbase-[0-9a-f]{12}\.tgz$/) },
    ]);
    expect(args('fs.shrink').map((a) => a.fsType)).toEqual(['ext4', 'ext4', 'ext3']);
    expect(args('artifact.pack').every((a) => a.container === 'gzip')).toBe(true);
    const written = (path: string) => args('file.write').find((a) => a.path === path)!;
    expect(written(`${root}/etc/apt/sources.list`).content).toContain(`deb ${mirror} bookworm main`);
    expect(written(`${root}/etc/hostname`).content).toBe('lab\n');
    expect(written(`${root}/etc/motd`).content).toBe('lab node\n');
  });

  it('publishes artifacts with the helper\'s sums, and metadata with the spec hash and installed packages', async () => {
    const { helper, run } = harness();
    const outcome = await run.run();
    expect(outcome.artifacts.map((a) => [a.image, a.path])).toEqual([
      ['mysql', '/srv/images/lab.mysql.img.gz'],
      ['root', '/srv/images/lab.root.img.gz'],
      ['var', '/srv/images/lab.var.img.gz'],
    ]);
    expect(outcome.artifacts[0]).toMatchObject({ container: 'gzip', rawSize: 300 * 2 ** 20, rawMd5: 'a'.repeat(32), containerSize: 90 * 2 ** 20, containerSha256: 'c'.repeat(64) });
    const metadata = parse(String(helper.calls.find((c) => c.op === 'file.write' && c.args.path === '/srv/images/lab.yaml')!.args.content));
    expect(metadata.spec_sha256).toBe(specHash(spec));
    expect(metadata.build_id).toBe(buildId);
    expect(metadata.installed_packages).toEqual([
      { name: 'curl', version: '7.88.1-10+deb12u8', arch: 'amd64' },
      { name: 'less', version: '590-2.1~deb12u2', arch: 'amd64' },
    ]);
    expect(metadata.images.map((i: { container_name: string }) => i.container_name)).toEqual(['lab.mysql.img.gz', 'lab.root.img.gz', 'lab.var.img.gz']);
  });

  it('routes helper output and its own notes to the running step, and build.close output to no step', async () => {
    const { helper, run, logs } = harness();
    helper.respond.debootstrap = (_args, onLog) => {
      onLog({ stream: 'out', text: 'I: Retrieving InRelease' });
      onLog({ stream: 'err', text: 'W: a warning' });
      return {};
    };
    helper.respond['build.close'] = (_args, onLog) => {
      onLog({ stream: 'info', text: `released directory ${dir}` });
      return { released: [`directory ${dir}`], failed: [] };
    };
    await run.run();
    expect(logs).toContainEqual({ step: 'debootstrap', stream: 'out', text: 'I: Retrieving InRelease' });
    expect(logs).toContainEqual({ step: 'debootstrap', stream: 'err', text: 'W: a warning' });
    expect(logs).toContainEqual({ step: 'loop-devices', stream: 'info', text: `root: /dev/loop8 ← ${dir}/root.img` });
    expect(logs).toContainEqual({ step: 'unmount', stream: 'info', text: `unmounted ${root}/proc` });
    expect(logs.at(-1)).toEqual({ step: null, stream: 'info', text: `released directory ${dir}` });
  });

  it.each<StepId>(['sparse-files', 'mount', 'install-packages', 'unmount', 'publish'])('failAt %s fails that step after its work, skips the rest, and still closes', async (failAt) => {
    const { helper, run, logs } = harness({ failAt });
    const outcome = await run.run();
    const index = stepIds.indexOf(failAt);
    expect(outcome).toMatchObject({ status: 'failed', failedStep: failAt, error: `injected fault at ${failAt}`, artifacts: [], metadataPath: null });
    expect(outcome.released).toHaveLength(2);
    expect(statuses(run.steps)).toEqual(stepIds.map((_, i) => (i < index ? 'done' : i === index ? 'failed' : 'skipped')));
    expect(run.steps[index]!.message).toBe(`injected fault at ${failAt}`);
    for (const step of run.steps.slice(index + 1)) expect(step.message).toBe(`skipped: ${failAt} failed`);
    expect(logs).toContainEqual({ step: failAt, stream: 'err', text: `injected fault at ${failAt}` });
    // The failing step did all its work, nothing after it ran, and build.close came last.
    expect(helper.calls.map(brief)).toEqual(callsThrough(failAt));
  });

  it('an operation that fails fails its step with the error, skips the rest, and still closes', async () => {
    const { helper, run, logs } = harness();
    const message = 'apt-get install -y curl less failed (exit code 100): E: Unable to locate package curl';
    helper.respond['chroot.exec'] = (args) => {
      if ((args.argv as string[])[1] === 'install') throw new Error(message);
      return { stdout: '' };
    };
    const outcome = await run.run();
    expect(outcome).toMatchObject({ status: 'failed', failedStep: 'install-packages', error: message, artifacts: [], metadataPath: null, unreleased: [] });
    const failed = run.steps.find((s) => s.id === 'install-packages')!;
    expect(failed).toMatchObject({ status: 'failed', message });
    expect(failed.durationMs).toBeGreaterThanOrEqual(0);
    expect(statuses(run.steps).slice(stepIds.indexOf('post-install'))).toEqual(Array(6).fill('skipped'));
    expect(logs).toContainEqual({ step: 'install-packages', stream: 'err', text: message });
    expect(helper.calls.map(brief).slice(-2)).toEqual(['chroot.exec apt-get install -y curl less', 'build.close']);
  });

  it('a build that could not even open has nothing to close', async () => {
    const { helper, run } = harness();
    helper.respond['build.open'] = () => {
      throw new Error('build 20250101-abcd1234 is open already');
    };
    const outcome = await run.run();
    expect(outcome).toMatchObject({ status: 'failed', failedStep: 'sparse-files', error: 'build 20250101-abcd1234 is open already', released: [], unreleased: [] });
    expect(helper.ops()).toEqual(['build.open']);
    expect(statuses(run.steps)).toEqual(['failed', ...Array(12).fill('skipped')]);
  });

  it('cancel() during a slow operation cancels it, skips the rest as cancelled, and still closes', async () => {
    const { helper, run, logs } = harness();
    let finish: (value: unknown) => void = () => {};
    helper.respond.debootstrap = () => new Promise((resolve) => (finish = resolve));
    const running = run.run();
    await helper.reached('debootstrap');
    expect(run.steps.find((s) => s.id === 'debootstrap')!.status).toBe('running');

    run.cancel();
    const outcome = await running;
    finish({}); // the helper's late answer changes nothing

    expect(outcome).toMatchObject({ status: 'cancelled', failedStep: 'debootstrap', error: 'cancelled', artifacts: [], metadataPath: null });
    expect(outcome.released).toHaveLength(2);
    expect(helper.calls.find((c) => c.op === 'debootstrap')!.cancelled).toBe(true);
    const index = stepIds.indexOf('debootstrap');
    expect(statuses(run.steps)).toEqual(stepIds.map((_, i) => (i < index ? 'done' : i === index ? 'failed' : 'skipped')));
    expect(run.steps[index]!.message).toBe('cancelled');
    for (const step of run.steps.slice(index + 1)) expect(step.message).toBe('cancelled');
    expect(logs).toContainEqual({ step: 'debootstrap', stream: 'err', text: 'cancelled by the operator' });
    expect(helper.ops().slice(-2)).toEqual(['debootstrap', 'build.close']);
    expect(helper.calls.at(-1)!.cancelled).toBe(false);
  });

  it('counts a failure that follows a cancel as the cancel', async () => {
    const { helper, run } = harness();
    // The helper answers the cancel with the killed command's own error rather than "cancelled".
    helper.cancelError = () => new Error('apt-get update failed (exit code 143)');
    helper.respond['chroot.exec'] = () => new Promise(() => {});
    const running = run.run();
    await helper.reached('chroot.exec');
    run.cancel();
    const outcome = await running;
    expect(outcome).toMatchObject({ status: 'cancelled', failedStep: 'install-packages', error: 'cancelled' });
    expect(run.steps.find((s) => s.id === 'install-packages')!.message).toBe('cancelled');
    expect(helper.ops().slice(-2)).toEqual(['chroot.exec', 'build.close']);
  });

  it('a helper error marked cancelled counts as a cancel even without cancel()', async () => {
    const { helper, run } = harness();
    helper.respond.mkfs = () => {
      throw cancelledError();
    };
    const outcome = await run.run();
    expect(outcome).toMatchObject({ status: 'cancelled', failedStep: 'mkfs', error: 'cancelled' });
    expect(helper.ops().at(-1)).toBe('build.close');
  });

  it('cancel() between operations stops before the next one', async () => {
    const helper = new FakeHelper();
    const seen: StepState[] = [];
    const run: BuildRun = new BuildRun(
      { buildId, spec, mirror, specHash: specHash(spec), version: 't', owner, helper },
      {
        step: (state) => {
          seen.push(state);
          if (state.id === 'mkfs' && state.status === 'running') run.cancel();
        },
        log: () => {},
      },
    );
    const outcome = await run.run();
    expect(outcome).toMatchObject({ status: 'cancelled', failedStep: 'mkfs' });
    expect(helper.ops()).not.toContain('mkfs');
    expect(helper.ops().at(-1)).toBe('build.close');
    expect(seen.filter((s) => s.status === 'skipped')).toHaveLength(13 - 3);
  });

  it('a build.close that fails leaves the release to journal recovery, and says so', async () => {
    const { helper, run, logs } = harness();
    helper.respond['build.close'] = () => {
      throw new Error('the build helper exited (killed by SIGKILL)');
    };
    const outcome = await run.run();
    expect(outcome.status).toBe('succeeded');
    expect(outcome.released).toEqual([]);
    expect(outcome.unreleased).toEqual(['release failed (the build helper exited (killed by SIGKILL)); journal recovery will finish it']);
    expect(logs.at(-1)).toEqual({ step: null, stream: 'err', text: outcome.unreleased[0] });
  });

  it('reports what build.close could not release', async () => {
    const { helper, run } = harness({ failAt: 'mount' });
    helper.respond['build.close'] = () => ({ released: [`directory ${dir}`], failed: [`mount at ${root}: umount: target is busy`] });
    const outcome = await run.run();
    expect(outcome).toMatchObject({ status: 'failed', released: [`directory ${dir}`], unreleased: [`mount at ${root}: umount: target is busy`] });
  });
});
