import { describe, expect, it } from 'vitest';
import type { HelperOp } from '../helper/helper-protocol.js';
import { answeringHelper } from '../helper/test-support/answering-helper.js';
import { HelperSession } from './helper-session.js';
import { Cancelled } from './step-loop.js';

/** A helper whose answers are scripted per operation: a value, an error, or a cancel. */
function scripted(answers: Partial<Record<HelperOp, unknown | Error | 'cancel'>>) {
  const calls: { op: string; args: unknown }[] = [];
  const helper = answeringHelper(async (op, args) => {
    calls.push({ op, args });
    const answer = answers[op] ?? {};
    if (answer === 'cancel') throw Object.assign(new Error('cancelled'), { cancelled: true });
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return { helper, calls };
}

const open = (session: HelperSession) => session.call('open', 'build.open', { outputDir: '/out', owner: { pid: 1, startTime: '1' } });
const closed = { released: ['directory /ws/builds/j1'], failed: [] };

describe('a job’s helper session', () => {
  it('adds the job id to every call and closes what it opened', async () => {
    const { helper, calls } = scripted({ 'build.open': { dir: '/ws/builds/j1', cacheDir: '/ws/cache' }, 'build.close': closed });
    const session = new HelperSession(helper, 'job-000001', () => undefined);
    await open(session);
    expect(session.isOpen).toBe(true);
    expect(await session.close(null)).toEqual({ released: ['directory /ws/builds/j1'], unreleased: [] });
    expect(calls.map((c) => [c.op, (c.args as { buildId: string }).buildId])).toEqual([['build.open', 'job-000001'], ['build.close', 'job-000001']]);
  });

  it('a cancelled open may have opened: it is closed; a refused open opened nothing: nothing to close', async () => {
    const cancelled = scripted({ 'build.open': 'cancel', 'build.close': closed });
    const first = new HelperSession(cancelled.helper, 'job-000002', () => undefined);
    await expect(open(first)).rejects.toBeInstanceOf(Cancelled);
    expect(first.isOpen).toBe(true);
    await first.close(null);
    expect(cancelled.calls.map((c) => c.op)).toEqual(['build.open', 'build.close']);

    const refused = scripted({ 'build.open': new Error('refused: /tmp/x belongs to uid 65534') });
    const second = new HelperSession(refused.helper, 'job-000003', () => undefined);
    await expect(open(second)).rejects.toThrow(/belongs to uid/);
    expect(second.isOpen).toBe(false);
    expect(await second.close(null)).toEqual({ released: [], unreleased: [] });
    expect(refused.calls.map((c) => c.op)).toEqual(['build.open']);
  });

  it('after a cancel no call starts, but the close still runs; a close that fails says recovery finishes it', async () => {
    const { helper, calls } = scripted({ 'build.open': { dir: '/d', cacheDir: '/c' }, 'build.close': new Error('the build helper exited') });
    const logged: string[] = [];
    const session = new HelperSession(helper, 'job-000004', (step, stream, text) => logged.push(`${step} ${stream} ${text}`));
    await open(session);
    session.cancel();
    await expect(session.call('work', 'dir.make', { path: '/d/x' })).rejects.toBeInstanceOf(Cancelled);
    expect(await session.close('release')).toEqual({ released: [], unreleased: ['release failed (the build helper exited); journal recovery will finish it'] });
    expect(calls.map((c) => c.op)).toEqual(['build.open', 'build.close']);
    expect(logged).toEqual(['release err release failed (the build helper exited); journal recovery will finish it']);
  });
});
