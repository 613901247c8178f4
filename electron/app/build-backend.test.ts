import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { processIdentity } from '../process/process-identity.js';
import type { Runner } from '../process/runner.js';
import { oneImageSpec, writeCachedOutput } from '../builds/test-support/cached-output.js';
import { createBuildBackend } from './build-backend.js';

// What `slipway build` must not load (a cache hit is mostly start-up): each of these fails this file if it is imported.
vi.mock('execa', () => {
  throw new Error('execa was loaded');
});
vi.mock('ssh2', () => {
  throw new Error('ssh2 was loaded');
});
vi.mock('ws', () => {
  throw new Error('ws was loaded');
});
vi.mock('./real-backend.js', () => {
  throw new Error('the real backend was loaded');
});
vi.mock('../mock/mock-backend.js', () => {
  throw new Error('the mocked backend was loaded');
});

describe('the build-only backend of `slipway build`', () => {
  let dir: string;
  let backend: ReturnType<typeof createBuildBackend>;
  const commands: string[] = [];
  const runner: Runner = async (file) => {
    commands.push(file);
    return { exitCode: 1, stdout: '', stderr: '', error: 'no commands in this test' };
  };
  const workspaceBuild = (id: string, owner: unknown) => {
    mkdirSync(join(dir, 'work', 'builds', id), { recursive: true });
    writeFileSync(join(dir, 'work', 'builds', id, 'owner.json'), JSON.stringify(owner));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-build-backend-'));
    mkdirSync(join(dir, 'out'));
    commands.length = 0;
    const env = { PATH: process.env.PATH, SLIPWAY_WORKSPACE: join(dir, 'work'), SLIPWAY_STATE_DIR: join(dir, 'state'), SLIPWAY_IMAGES_DIR: join(dir, 'images') };
    backend = createBuildBackend({ env, runner });
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a cache hit from the metadata: no helper, no command', async () => {
    const get = vi.spyOn(backend.helpers, 'get');
    const spec = oneImageSpec(join(dir, 'out'));
    const { specHash } = backend.builds.validate(spec);
    const artifact = writeCachedOutput(join(dir, 'out'), specHash!);
    const topics: string[] = [];
    backend.bus.subscribe((event) => topics.push(event.topic));

    const { cacheHit, done } = backend.builds.start(spec);
    const summary = await done;

    expect(cacheHit).toBe(true);
    expect(summary).toMatchObject({ status: 'succeeded', cacheHit: true, specHash, metadataPath: join(dir, 'out', 'lab.yaml') });
    expect(summary.artifacts.map((a) => a.path)).toEqual([artifact]);
    expect(topics).toEqual(expect.arrayContaining(['builds.started', 'builds.finished']));
    expect(backend.builds.list().map((b) => b.id)).toEqual([summary.id]);
    expect(get).not.toHaveBeenCalled();
    expect(commands).toEqual([]);
  });

  it('recovers nothing, and starts no helper, when the workspace holds no build of a dead Slipway', async () => {
    const get = vi.spyOn(backend.helpers, 'get');
    expect(await backend.builds.recover()).toEqual([]);
    // A build of a process that is alive (a CLI beside the console) is its own, not a leftover.
    workspaceBuild('20250101-other001', { ...processIdentity(process.ppid), outputDir: join(dir, 'out') });
    expect(await backend.builds.recover()).toEqual([]);
    expect(get).not.toHaveBeenCalled();
    expect(commands).toEqual([]);
  });

  it('hands a dead Slipway\'s build to the helper for journal recovery', async () => {
    const get = vi.spyOn(backend.helpers, 'get').mockRejectedValue(new Error('no helper in a unit test'));
    /** A pid no process has (above the kernel's pid_max limit of 2^22). */
    workspaceBuild('20250101-dead0001', { pid: 2 ** 22 + 17, startTime: '12345', outputDir: join(dir, 'out') });
    await expect(backend.builds.recover()).rejects.toThrow('no helper in a unit test');
    expect(get).toHaveBeenCalledTimes(1);
  });
});
