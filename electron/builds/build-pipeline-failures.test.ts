import { describe, expect, it } from 'vitest';
import type { StepState } from '../../shared/contract/index.js';
import { specHash } from './spec-hash.js';
import { BuildRun } from './build-pipeline.js';
import { mirror, spec, buildId, dir, root, owner, cancelledError, FakeHelper, harness, brief, stepIds, statuses } from './test-support/fake-helper.js';

describe('BuildRun failures and cancels', () => {
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
    expect(statuses(run.steps)).toEqual(stepIds.map((_, i) => (i < index ? 'done' : i === index ? 'cancelled' : 'skipped')));
    expect(run.steps[index]!.message).toBe('cancelled by the operator');
    for (const step of run.steps.slice(index + 1)) expect(step.message).toBe('not run: cancelled');
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
    expect(run.steps.find((s) => s.id === 'install-packages')).toMatchObject({ status: 'cancelled', message: 'cancelled by the operator' });
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
