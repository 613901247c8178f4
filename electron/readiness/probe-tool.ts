import type { ToolCheck } from '../../shared/contract/index.js';
import type { Runner } from '../process/runner.js';
import { findExecutable } from './find-executable.js';
import { parseVersion } from './parse-version.js';
import type { ToolSpec } from './tool-catalog.js';

export interface ProbeEnv {
  runner: Runner;
  pathEnv: string;
  extraDirs: readonly string[];
}

async function packageVersion(runner: Runner, debianPackage: string): Promise<string | null> {
  const result = await runner('dpkg-query', ['-W', '-f=${Version}', debianPackage], { timeoutMs: 5_000 });
  return result.exitCode === 0 && result.stdout.trim() !== '' ? result.stdout.trim() : null;
}

async function toolVersion(spec: ToolSpec, path: string, runner: Runner): Promise<string | null> {
  if (spec.versionArgs === null) return null;
  const result = await runner(path, spec.versionArgs, { timeoutMs: 5_000 });
  // Several tools print their version on stderr, or exit non-zero after printing it.
  return parseVersion(`${result.stdout}\n${result.stderr}`, spec.versionPattern);
}

export async function probeTool(spec: ToolSpec, env: ProbeEnv): Promise<ToolCheck> {
  const path = await findExecutable(spec.name, env.pathEnv, env.extraDirs);
  const version = path === null
    ? null
    : (await toolVersion(spec, path, env.runner)) ?? (await packageVersion(env.runner, spec.debianPackage));
  return {
    name: spec.name,
    found: path !== null,
    path,
    version,
    debianPackage: spec.debianPackage,
    required: spec.required,
    neededBy: spec.neededBy,
    purpose: spec.purpose,
  };
}

/** One apt-get line for everything missing, packages in catalog order, once each. */
export function installHint(tools: readonly ToolCheck[]): string | null {
  const missing = [...new Set(tools.filter((t) => !t.found).map((t) => t.debianPackage))];
  return missing.length === 0 ? null : `apt-get install ${missing.join(' ')}`;
}
