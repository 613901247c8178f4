import { describe, expect, it } from 'vitest';
import { DeployRequest, type DeployStep } from '../../shared/contract/index.js';
import { pickKernel } from '../helper/deploy-ops.js';
import { answeringHelper } from '../helper/test-support/answering-helper.js';
import { DeployRun, type RemoteSync } from './deploy-run.js';

/** Records every helper call and answers plausibly; `failOp` makes one operation fail. */
function fakeHelper(failOp?: string) {
  const calls: { op: string; args: Record<string, unknown> }[] = [];
  const answers: Record<string, unknown> = {
    'build.open': { dir: '/ws/builds/dep-1', cacheDir: '/ws/cache' },
    'image.stage': { bytes: 1 << 30, container: 'gzip' },
    'loop.attach': { device: '/dev/loop7' },
    'tree.pack': { path: '/out/node.tar.partial-dep-1', bytes: 4096, sha256: 'ab'.repeat(32) },
    'artifact.place': { path: '/out/node.tar' },
    'build.close': { released: ['mount', 'mount', 'file', 'dir'], failed: [] },
  };
  const helper = answeringHelper(async (op, args) => {
    calls.push({ op, args });
    if (op === failOp) throw new Error(`${op} failed`);
    return answers[op] ?? {};
  });
  return { helper, calls };
}

function run(request: unknown, failOp?: string, remoteSync: RemoteSync = async () => ({ bytes: 1 })) {
  const { helper, calls } = fakeHelper(failOp);
  const steps: DeployStep[] = [];
  const deploy = new DeployRun(
    { id: 'dep-1', request: DeployRequest.parse(request), image: { ref: 'b1', path: '/srv/images/root.img.gz', buildId: 'b1', specHash: 'f00' }, helper, owner: { pid: 1, startTime: '1' }, outputDir: '/out', version: 'test', remoteSync },
    { step: (step) => steps.push(step), log: () => undefined },
  );
  return { deploy, calls, steps };
}

const base = { image: 'b1', extensions: ['/ext/a.configure', '/ext/b.configure'], env: { HOSTNAME: 'n1', API_TOKEN: 'secret' }, target: { kind: 'tar', path: '/out/node.tar' } };

describe('overlay deploy run', () => {
  it('mounts the image read-only under an overlay, runs extensions in order, packs, places and releases', async () => {
    const { deploy, calls } = run(base);
    const outcome = await deploy.run();
    expect(outcome).toMatchObject({ status: 'succeeded', output: { location: '/out/node.tar', bytes: 4096 } });
    expect(calls.map((c) => c.op)).toEqual([
      'build.open', 'image.stage', 'dir.make', 'loop.attach', 'mount', 'loop.autoclear', 'overlay.mount',
      'extension.run', 'extension.run', 'dir.make', 'file.write', 'tree.pack', 'artifact.place', 'build.close',
    ]);
    expect(calls.find((c) => c.op === 'loop.attach')?.args.readOnly).toBe(true);
    expect(calls.find((c) => c.op === 'mount')?.args.readOnly).toBe(true);
    expect(calls.filter((c) => c.op === 'extension.run').map((c) => c.args.executable)).toEqual(['/ext/a.configure', '/ext/b.configure']);
    const meta = JSON.parse(String(calls.find((c) => c.op === 'file.write')?.args.content));
    expect(meta.environment).toEqual({ HOSTNAME: 'n1', API_TOKEN: '********' });
  });

  it('skips the rest after a failed extension and still releases everything', async () => {
    const { deploy, calls, steps } = run({ ...base, extensions: ['/ext/a.configure'] }, 'extension.run');
    const outcome = await deploy.run();
    expect(outcome).toMatchObject({ status: 'failed', failedStep: 'extension-1', error: 'extension.run failed' });
    expect(calls.at(-1)?.op).toBe('build.close');
    expect(calls.some((c) => c.op === 'tree.pack')).toBe(false);
    const last = new Map(steps.map((s) => [s.id, s.status]));
    expect([...last]).toEqual([
      ['open-image', 'done'], ['mount-lower', 'done'], ['mount-overlay', 'done'], ['extension-1', 'failed'], ['metadata', 'skipped'], ['target', 'skipped'], ['release', 'done'],
    ]);
  });

  it('sends the packed tree to the node for ssh-rsync instead of placing a file', async () => {
    const sent: string[] = [];
    const { deploy, calls } = run({ ...base, target: { kind: 'ssh-rsync', node: 'rack4-n01', path: '/srv/root' } }, undefined, async (tarball, target) => {
      sent.push(`${tarball} → ${target.node}:${target.path}`);
      return { bytes: 4096 };
    });
    expect((await deploy.run()).output).toEqual({ location: 'rack4-n01:/srv/root', bytes: 4096, sha256: null });
    expect(sent).toEqual(['/out/node.tar.partial-dep-1 → rack4-n01:/srv/root']);
    expect(calls.some((c) => c.op === 'artifact.place')).toBe(false);
  });

  it('a cancel before the start acquires nothing', async () => {
    const { deploy, calls } = run(base);
    deploy.cancel();
    expect((await deploy.run()).status).toBe('cancelled');
    expect(calls).toEqual([]);
  });
});

describe('kernel pick for netboot', () => {
  it('takes the newest kernel that has an initrd', () => {
    expect(pickKernel(['vmlinuz-6.1.0-9-amd64', 'initrd.img-6.1.0-9-amd64', 'vmlinuz-6.1.0-27-amd64', 'initrd.img-6.1.0-27-amd64', 'vmlinuz-6.1.0-28-amd64', 'config-6.1.0-28-amd64'])).toEqual({
      kernel: 'vmlinuz-6.1.0-27-amd64',
      initrd: 'initrd.img-6.1.0-27-amd64',
    });
    expect(pickKernel(['grub', 'config-6.1.0-27-amd64'])).toBeNull();
  });
});
