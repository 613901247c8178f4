/** A scripted HelperClient for BuildRun tests: records every operation, answers each plausibly. */
import { buildSteps, type StepId, type StepState } from '../../../shared/contract/index.js';
import { parseSpecText } from '../../../shared/builds/spec-text.js';
import { BuildRun, type PipelineInput } from '../build-pipeline.js';
import type { CallHandle, HelperClient, HelperLog } from '../../helper/helper-client.js';
import { helperOps, type HelperArgs, type HelperOp, type HelperResult } from '../../helper/helper-protocol.js';
import { specHash } from '../spec-hash.js';

export const mirror = 'http://mirror.lab.example/debian';

// Images listed deepest first on purpose: the pipeline must mount shallowest first whatever the order.
export const specText = `
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

export const parsed = parseSpecText(specText, (raw) => ({ mirror, ...raw }));
if (!parsed.ok) throw new Error(`test spec is invalid: ${JSON.stringify(parsed.problems)}`);
export const spec = parsed.spec;

export const buildId = '20250101-abcd1234';
export const dir = `/ws/builds/${buildId}`;
export const root = `${dir}/root`;
export const owner = { pid: 4242, startTime: '987654' };

export const dpkgStatus = `Package: less
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

export const cancelledError = () => Object.assign(new Error('cancelled'), { cancelled: true });

export interface Call {
  op: HelperOp;
  args: Record<string, unknown>;
  cancelled: boolean;
  /** The id the caller gave (a resumed build's calls carry their earlier ids). */
  id?: number;
}

export type Responder = (args: Record<string, unknown>, onLog: (log: HelperLog) => void) => unknown;

/** A helper that answers every operation plausibly and records what was asked, in order. */
export class FakeHelper implements HelperClient {
  readonly namespaced = true;
  readonly pid = undefined;
  readonly exited = new Promise<string>(() => {});
  readonly calls: Call[] = [];
  readonly respond: Partial<Record<HelperOp, Responder>> = {};
  /** What a cancelled call rejects with. */
  cancelError: () => Error = cancelledError;
  private nextLoop = 7;
  private nextId = 1;

  reserveId(): number {
    return this.nextId++;
  }

  lastSeq(): number {
    return 0;
  }

  call<O extends HelperOp>(op: O, args: HelperArgs<O>, onLog?: (log: HelperLog) => void, id?: number): CallHandle<HelperResult<O>> {
    const call: Call = { op, args: args as Record<string, unknown>, cancelled: false, ...(id === undefined ? {} : { id }) };
    this.calls.push(call);
    let cancel: () => void = () => {};
    const cancelled = new Promise<never>((_resolve, reject) => {
      cancel = () => {
        call.cancelled = true;
        reject(this.cancelError());
      };
    });
    const responder = this.respond[op] ?? ((a: Record<string, unknown>) => this.answer(op, a));
    // Answers are checked against the protocol as the real client checks them: a fake cannot drift from the helper.
    const answer = Promise.resolve().then(() => responder(call.args, onLog ?? (() => {}))).then((value) => helperOps[op].result.parse(value));
    return { result: Promise.race([answer, cancelled]) as Promise<HelperResult<O>>, cancel };
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
      case 'base.restore':
        return { restored: false, ageSeconds: null };
      case 'fs.populate':
        return { inodes: 6740, unnamed: 0 };
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

export interface LogRecord {
  step: StepId | null;
  stream: HelperLog['stream'];
  text: string;
}

export function harness(patch: Partial<PipelineInput> = {}) {
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
export function brief({ op, args }: Call): string {
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

export const G = 2 ** 30;

/** fuel-agent's order, for this spec, step by step. */
export const sequence: Record<StepId, string[]> = {
  // The base image cache is asked first: a hit replaces mkfs and debootstrap.
  'sparse-files': ['build.open /srv/images', `base.restore ${buildId}`, `file.sparse ${dir}/mysql.img ${G}`, `file.sparse ${dir}/root.img ${2 * G}`, `file.sparse ${dir}/var.img ${G}`],
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
  // mmdebstrap (the default) needs an empty target: dpkg's unsafe I/O is set after it, before the base is saved.
  debootstrap: [`debootstrap bookworm ${root}`, `file.write ${root}/etc/dpkg/dpkg.cfg.d/90slipway-unsafe-io 644`, `base.save ${buildId}`],
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
    `file.remove ${root}/etc/dpkg/dpkg.cfg.d/90slipway-unsafe-io`,
    `file.read ${root}/var/lib/dpkg/status`,
  ],
  // Chrooted processes stopped, then deepest first, proc first of all.
  unmount: [
    `chroot.stop ${root}`,
    // Free blocks discarded while mounted, each image once.
    `fs.trim ${root}/var/lib/mysql`,
    `fs.trim ${root}/var`,
    `fs.trim ${root}`,
    `umount ${root}/proc`, `umount ${root}/var/lib/mysql`, `umount ${root}/var`, `umount ${root}`,
  ],
  detach: [`loop.detach ${dir}/mysql.img`, `loop.detach ${dir}/root.img`, `loop.detach ${dir}/var.img`],
  shrink: [`fs.shrink ${dir}/mysql.img`, `fs.shrink ${dir}/root.img`, `fs.shrink ${dir}/var.img`],
  compress: [
    `artifact.pack ${dir}/mysql.img /srv/images/lab.mysql.img.gz`,
    `artifact.pack ${dir}/root.img /srv/images/lab.root.img.gz`,
    `artifact.pack ${dir}/var.img /srv/images/lab.var.img.gz`,
  ],
  publish: [
    'file.remove /srv/images/lab.yaml',
    'artifact.place /srv/images/lab.mysql.img.gz',
    'artifact.place /srv/images/lab.root.img.gz',
    'artifact.place /srv/images/lab.var.img.gz',
    'file.write /srv/images/lab.yaml 644',
  ],
};

export const stepIds = buildSteps.map((s) => s.id);
/** The calls of the steps up to and including `last`, then build.close. */
export const callsThrough = (last: StepId) => [...stepIds.slice(0, stepIds.indexOf(last) + 1).flatMap((id) => sequence[id]), 'build.close'];
export const fullSequence = callsThrough('publish');
export const statuses = (steps: readonly StepState[]) => steps.map((s) => s.status);
