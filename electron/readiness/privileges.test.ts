import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../process/runner.js';
import { checkPrivileges } from './privileges.js';

describe('checkPrivileges', () => {
  let dir: string;
  const calls: string[][] = [];
  const runner = (sudoExit: number): Runner => async (file, args) => {
    calls.push([file, ...args]);
    return { exitCode: sudoExit, stdout: '', stderr: '' };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-priv-'));
    for (const name of ['sudo', 'pkexec']) {
      await writeFile(join(dir, name), '#!/bin/sh\n');
      await chmod(join(dir, name), 0o755);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('needs nothing as root', async () => {
    const check = await checkPrivileges({ runner: runner(1), uid: 0, user: 'root', pathEnv: '' });
    expect(check).toMatchObject({ elevation: 'root', canBuild: true });
  });

  it('uses sudo -n when it works without a password', async () => {
    calls.length = 0;
    const check = await checkPrivileges({ runner: runner(0), uid: 1000, user: 'op', pathEnv: dir });
    expect(check).toMatchObject({ elevation: 'sudo', canBuild: true });
    expect(calls).toEqual([[join(dir, 'sudo'), '-n', 'true']]);
  });

  it('falls back to pkexec when sudo needs a password', async () => {
    const check = await checkPrivileges({ runner: runner(1), uid: 1000, user: 'op', pathEnv: dir });
    expect(check.elevation).toBe('pkexec');
  });
});
