import type { PrivilegeCheck } from '../../shared/contract/index.js';
import type { Runner } from '../process/runner.js';
import { findExecutable } from './find-executable.js';
import { extraSearchDirs } from './tool-catalog.js';

export interface PrivilegeEnv {
  runner: Runner;
  uid: number;
  user: string;
  pathEnv: string;
}

/** How builds would get root: directly, sudo without a password, pkexec (asks), or not at all. */
export async function checkPrivileges(env: PrivilegeEnv): Promise<PrivilegeCheck> {
  const base = { uid: env.uid, user: env.user };
  if (env.uid === 0) {
    return { ...base, elevation: 'root', canBuild: true, detail: 'running as root: builds run directly' };
  }
  const sudo = await findExecutable('sudo', env.pathEnv, extraSearchDirs);
  if (sudo !== null) {
    const probe = await env.runner(sudo, ['-n', 'true'], { timeoutMs: 5_000 });
    if (probe.exitCode === 0) {
      return { ...base, elevation: 'sudo', canBuild: true, detail: 'not root: the build helper runs through sudo -n' };
    }
  }
  const pkexec = await findExecutable('pkexec', env.pathEnv, extraSearchDirs);
  if (pkexec !== null) {
    return { ...base, elevation: 'pkexec', canBuild: true, detail: 'not root: the build helper asks for authorisation through pkexec' };
  }
  return {
    ...base,
    elevation: 'none',
    canBuild: false,
    detail: 'not root, sudo -n needs a password and pkexec is missing: builds cannot run (run as root or allow sudo -n)',
  };
}
