import { setTimeout as sleep } from 'node:timers/promises';
import type { AppDefinition } from '../../shared/contract/apps.js';
import { expandPaths } from '../../shared/apps/app-text.js';
import { shQuote } from '../remote/shell-script.js';
import { SshError } from '../nodes/ssh-error.js';
import { matchBadHost, defaultBadHostPatterns } from './bad-hosts.js';
import { StepFailure, type AppNode } from './app-node.js';
import { dependsScript, homeScript, parseStatus, spawnScript, statusScript, stopScript, type StatusReport, type TraceOffset } from './remote-scripts.js';

/** What the application steps need of a node over SSH: the pool's connection to it. */
export interface AppNodeAccess {
  exec(command: string, options: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  upload(from: string, to: string, onProgress?: (done: number, total: number) => void): Promise<void>;
  copyTo(target: string, fromPath: string, toPath: string): Promise<number>;
  retryNow(): void;
}

const tail = (text: string, lines = 5) => text.trim().split('\n').slice(-lines).join(' | ');

/**
 * A script on the node through `sh -c`, whatever the login shell; a node that
 * cannot be reached is retried with exponential, full-jitter backoff.
 */
async function runScript(access: AppNodeAccess, script: string, timeoutMs: number, attempts = 3): Promise<{ code: number | null; stdout: string; stderr: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await access.exec(script, { timeoutMs });
    } catch (error) {
      const transient = error instanceof SshError && error.kind === 'unreachable';
      if (!transient || attempt + 1 >= attempts) throw error;
      await sleep(Math.random() * 500 * 2 ** attempt);
      access.retryNow();
    }
  }
}

/** Runs a step's script; a non-zero exit is a StepFailure, checked against the bad-host patterns. */
async function mustRun(access: AppNodeAccess, what: string, script: string, timeoutMs: number, patterns: readonly string[] | undefined): Promise<string> {
  const result = await runScript(access, script, timeoutMs);
  if (result.code === 0) return result.stdout;
  const output = `${result.stdout}\n${result.stderr}`;
  throw new StepFailure(`${what} failed (exit ${result.code ?? 'none: timed out or cut off'}): ${tail(result.stderr || result.stdout) || 'no output'}`, matchBadHost(output, patterns ?? defaultBadHostPatterns));
}

async function makeHome(access: AppNodeAccess, relative: string, timeoutMs: number): Promise<{ home: string; platform: string }> {
  const out = await mustRun(access, 'making the home directory', homeScript(null, relative), timeoutMs, undefined);
  const home = /^home=(.+)$/m.exec(out)?.[1];
  const platform = /^platform=(.+)$/m.exec(out)?.[1];
  if (!home || !platform) throw new StepFailure(`unexpected answer while making the home directory: ${tail(out)}`);
  return { home, platform };
}

/** The sources (and stdin) arrive as one tarball, unpacked into the home: `${SOURCES}`. */
async function uploadSources(access: AppNodeAccess, home: string, tarball: string, timeoutMs: number, progress: (text: string) => void): Promise<void> {
  let shown = -1;
  await access.upload(tarball, `${home}/sources.tar`, (done, total) => {
    const percent = Math.floor((10 * done) / Math.max(total, 1)) * 10;
    if (percent !== shown) progress(`uploaded ${percent}%`);
    shown = percent;
  });
  await mustRun(access, 'unpacking the sources', `cd ${shQuote(home)} && tar -xf sources.tar && rm -f sources.tar`, timeoutMs, undefined);
}

async function installDepends(access: AppNodeAccess, packages: readonly string[], definition: AppDefinition): Promise<string> {
  const out = await mustRun(access, 'installing depends', dependsScript(packages, definition.sudo), definition.timeouts.depends * 1000, definition.badHostPatterns);
  return tail(out, 1);
}

/** One status-and-traces round trip (see statusScript). */
async function pollNode(access: AppNodeAccess, home: string, offsets: { file: string; offset: number }[]): Promise<StatusReport> {
  const result = await runScript(access, statusScript(home, offsets), 30_000, 1);
  // Cut off or timed out (no exit code) is the connection's failure, not the node's answer: a miss, counted as one.
  if (result.code === null) throw new Error(`status check cut off${result.stderr.trim() ? `: ${tail(result.stderr)}` : ''}`);
  if (result.code !== 0) throw new StepFailure(`status check failed (exit ${result.code}): ${tail(result.stderr) || 'no output'}`);
  return parseStatus(result.stdout);
}

/** The build, detached in `${BUILD}` with its own pidfile and buildlog; returns once it is started. */
async function startBuild(access: AppNodeAccess, home: string, definition: AppDefinition): Promise<void> {
  const script = spawnScript({
    home,
    script: 'build.sh',
    cwd: `${home}/build`,
    command: expandPaths(definition.build, home),
    env: definition.env,
    stdout: 'buildlog',
    stderr: 'buildlog',
    stdin: null,
    pidfile: 'build-pid',
    exitfile: 'build-exit',
    sudo: false,
  });
  await mustRun(access, 'starting the build', script, definition.timeouts.start * 1000, undefined);
}

/** The build output, packed for the nodes that receive it instead of building. */
async function packBuild(access: AppNodeAccess, home: string): Promise<void> {
  await mustRun(access, 'packing the build', `cd ${shQuote(home)} && tar -czf build.tar.gz.part build && mv build.tar.gz.part build.tar.gz`, 600_000, undefined);
}

async function unpackBuild(access: AppNodeAccess, home: string): Promise<void> {
  await mustRun(access, 'unpacking the received build', `cd ${shQuote(home)} && rm -rf build && tar -xzf build.tar.gz`, 600_000, undefined);
}

async function install(access: AppNodeAccess, home: string, definition: AppDefinition): Promise<void> {
  if (!definition.install.trim()) return;
  const sudo = definition.sudo ? 'SUDO=; [ "$(id -u)" = 0 ] || SUDO="sudo -n"; ' : 'SUDO=; ';
  const exports = Object.entries(definition.env).map(([name, value]) => `export ${name}=${shQuote(value)}; `).join('');
  const script = `${exports}${sudo}cd ${shQuote(home)} && $SUDO sh -c ${shQuote(expandPaths(definition.install, home))}`;
  await mustRun(access, 'install', script, definition.timeouts.install * 1000, definition.badHostPatterns);
}

async function startApp(access: AppNodeAccess, home: string, definition: AppDefinition): Promise<number> {
  const script = spawnScript({
    home,
    script: 'app.sh',
    cwd: home,
    command: expandPaths(definition.run, home),
    env: definition.env,
    stdout: 'stdout',
    stderr: 'stderr',
    stdin: 'stdin',
    pidfile: 'pid',
    exitfile: 'exitcode',
    sudo: definition.sudo,
  });
  const out = await mustRun(access, 'starting the application', script, definition.timeouts.start * 1000, definition.badHostPatterns);
  return Number(/pid=(\d+)/.exec(out)?.[1] ?? 0);
}

/** The node protocol over SSH: each operation one script, its answer parsed (see AppNode). */
export function sshAppNode(access: AppNodeAccess, definition: AppDefinition): AppNode {
  return {
    makeHome: (relative) => makeHome(access, relative, 120_000),
    uploadSources: (home, tarball, progress) => uploadSources(access, home, tarball, definition.timeouts.upload * 1000, progress),
    installDepends: (packages) => installDepends(access, packages, definition),
    startBuild: (home) => startBuild(access, home, definition),
    packBuild: (home) => packBuild(access, home),
    copyTo: (target, fromPath, toPath) => access.copyTo(target, fromPath, toPath),
    unpackBuild: (home) => unpackBuild(access, home),
    install: (home) => install(access, home, definition),
    start: (home) => startApp(access, home, definition),
    poll: (home, offsets: readonly TraceOffset[]) => pollNode(access, home, [...offsets]),
    async stop(home, job) {
      const [pidfile, exitfile] = job === 'app' ? ['pid', 'exitcode'] : ['build-pid', 'build-exit'];
      const grace = definition.timeouts.stop;
      const result = await runScript(access, stopScript(home, pidfile, exitfile, grace, definition.sudo), (grace + 15) * 1000);
      return /stop=(.*)/.exec(result.stdout)?.[1] ?? 'unknown';
    },
  };
}
