import { describe, expect, it } from 'vitest';
import type { RunCheckpoint } from './build-pipeline.js';
import { brief, fullSequence, harness, root, statuses, stepIds } from './test-support/fake-helper.js';

/** Every checkpoint a whole build notes, in order (one before each helper call). */
async function checkpointsOfABuild(): Promise<RunCheckpoint[]> {
  const points: RunCheckpoint[] = [];
  const { run } = harness({ checkpoint: (point) => points.push(structuredClone(point)) });
  await run.run();
  return points;
}

describe('a build carried on from its checkpoint (its console restarted)', () => {
  it('notes one checkpoint before every call, with the step under way and the ids of its calls so far', async () => {
    const { run, helper } = harness();
    await run.run();
    const points = await checkpointsOfABuild();
    // build.close is the release, not a step's call.
    expect(points).toHaveLength(helper.calls.length - 1);
    const mount = points.filter((point) => stepIds[point.step] === 'mount');
    expect(mount.map((point) => point.calls.length)).toEqual(mount.map((_, i) => i + 1));
    expect(points.every((point, i) => i === 0 || point.step >= points[i - 1]!.step)).toBe(true);
    expect(points.at(-1)!.opened).toBe(true);
  });

  it('runs the step under way again from its start with the same call ids, on the context the steps before left, and goes on to the end', async () => {
    const points = await checkpointsOfABuild();
    // Stopped at the mount step's last call: the step had mounted every file system (the context it changed is not the one it runs again on).
    const from = points.filter((point) => stepIds[point.step] === 'mount').at(-1)!;
    expect(from.calls.length).toBeGreaterThan(3);
    const { run, helper, logs } = harness({ resume: { from, loggedSeq: 5 } });
    helper.respond['dir.make'] = (_args, onLog) => {
      onLog({ stream: 'out', text: 'said before the restart', seq: 4 });
      onLog({ stream: 'out', text: 'said after it', seq: 6 });
      return {};
    };
    const outcome = await run.run();
    expect(outcome.status).toBe('succeeded');
    const mountAt = stepIds.indexOf('mount');
    // The steps before it stay as they were; it and the rest ran here.
    expect(run.steps.slice(0, mountAt)).toEqual(from.steps.slice(0, mountAt));
    expect(statuses(run.steps)).toEqual(stepIds.map(() => 'done'));
    // One checkpoint per call: the mount step's calls start where its first checkpoint is.
    const sequence = fullSequence.slice(points.findIndex((point) => point.step === mountAt));
    expect(sequence[0]).toBe(`dir.make ${root}`);
    expect(helper.calls.map(brief)).toEqual(sequence);
    // The first calls are the noted ones, by id; later ones are new.
    expect(helper.calls.slice(0, from.calls.length).map((call) => call.id)).toEqual(from.calls);
    expect(from.calls).not.toContain(helper.calls[from.calls.length]!.id);
    // The devices the loop step attached before the restart are the ones mounted.
    expect(helper.calls[1]!.args.source).toBe(from.ctx.images.find((image) => image.target === root)!.device);
    // What the console's log held already is not said again.
    expect(logs.map((log) => log.text)).not.toContain('said before the restart');
    expect(logs.map((log) => log.text)).toContain('said after it');
  });
});
