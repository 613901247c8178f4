import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';
import { processIdentity, type ProcessIdentity } from '../process/process-identity.js';
import { createBuildHosts } from '../app/build-hosts.js';
import type { NodeService } from '../nodes/node-service.js';
import { startBuildHostNode, type BuildHostNode } from '../helper/test-support/build-host-node.js';
import { canBuild, leaks, logLineSeen, makeService, noBaseImages, tempStateDir, testSpec } from './test-support/build-harness.js';
import { expectEveryLineOnce } from './test-support/host-log-check.js';

const bundle = join(packageRoot(), 'out', 'helper', 'build-helper.mjs');
const canRun = canBuild && existsSync('/usr/sbin/sshd') && existsSync(bundle);
const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/*
 * A console that ends, or closes, while it runs a build on a build host (an
 * sshd test node on this machine, 127.0.56.50, root): the helper there goes
 * on, and the next console start carries the build on, or closes what
 * nothing carries on. The CLI and the console run from out/, as installed.
 */
describe.runIf(canRun)('a console that ends mid-build on a build host (root, sshd node on 127.0.56.50)', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-host-restart-'));
  const hostWorkspace = join(base, 'host-ws');
  let host: BuildHostNode;
  let nodes: NodeService;

  beforeAll(async () => {
    host = await startBuildHostNode(base, { thirdOctet: 56, firstOctet: 50, port: 2364 });
    nodes = host.nodes;
  }, 120_000);

  afterAll(async () => {
    await host?.close();
  });

  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 100));
  };

  /** `slipway build --host builder` of a spec named `name`, SIGKILLed once mmdebstrap installs: the build's id, and the environment it ran in. */
  async function cliKilledMidInstall(stateDir: string, out: string, name: string): Promise<{ id: string; env: NodeJS.ProcessEnv }> {
    const specFile = join(base, `${name}.yaml`);
    writeFileSync(specFile, testSpec(out, { name, images: noBaseImages() }));
    const env = {
      ...process.env, SLIPWAY_INVENTORY: join(base, 'nodes.yaml'), SLIPWAY_KNOWN_HOSTS: join(base, 'known_hosts'), SLIPWAY_HOST_WORKSPACE: hostWorkspace,
      SLIPWAY_HOST_HELPER_DIR: join(base, 'host-helpers'), SLIPWAY_WORKSPACE: join(base, 'local-ws'), SLIPWAY_STATE_DIR: stateDir,
    };
    const cli = spawn(process.execPath, [join(packageRoot(), 'bin', 'slipway.mjs'), 'build', '--host', 'builder', '--json', specFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let id = '';
    await new Promise<void>((resolve, reject) => {
      cli.once('exit', () => reject(new Error('the CLI ended before mmdebstrap installed anything')));
      createInterface({ input: cli.stdout! }).on('line', (line) => {
        const event = JSON.parse(line) as { topic: string; payload: { summary?: { id: string }; lines?: { text: string }[] } };
        if (event.topic === 'builds.started') id = event.payload.summary!.id;
        if (event.topic === 'builds.log' && event.payload.lines!.some((l) => l.text.startsWith('I: installing essential packages'))) resolve();
      });
    });
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    cli.kill('SIGKILL');
    await exited;
    return { id, env };
  }

  it('a console that ends mid-build (slipway build --host, SIGKILLed), its build carried on by nobody: the session it left is closed, and the host is clean at once', { timeout: 600_000 }, async () => {
    const stateDir = tempStateDir();
    const { id } = await cliKilledMidInstall(stateDir, join(base, 'out-left'), 'left-on-host');
    // Left on the host: the build is open there (its directory), its session noted here.
    expect(existsSync(join(hostWorkspace, 'builds', id))).toBe(true);
    const noted = readdirSync(join(stateDir, 'host-sessions'));
    expect(noted).toHaveLength(1);
    const next = createBuildHosts({
      access: (name) => nodes.access(name), specs: () => nodes.specs(), bundle, workspace: hostWorkspace, outputRoots: [tmpdir()], helperDir: join(base, 'host-helpers'),
      records: { dir: join(stateDir, 'host-sessions'), owner: processIdentity()! },
    });
    try {
      const session = noted[0]!.replace(/\.json$/, '');
      // If the helper is gone already, what it said on its way out (its stderr on the host, removed with its session) says why.
      const helperErr = join(hostWorkspace, 'sessions', session, 'helper.err');
      const said = existsSync(helperErr) ? `helper.err: ${readFileSync(helperErr, 'utf8').slice(-4000)}` : 'no helper.err';
      expect(await next.closeLeft(), said).toEqual([`session ${session} on builder: its helper released what it held and exited`]);
      expect(existsSync(join(hostWorkspace, 'sessions', session))).toBe(false);
      expect(leaks(join(base, 'out-left'), id, hostWorkspace)).toEqual([]);
      expect(readdirSync(join(stateDir, 'host-sessions'))).toEqual([]);
      // Nothing left to close a second time.
      expect(await next.closeLeft()).toEqual([]);
    } finally {
      await next.close();
    }
  });

  it('a console that ends mid-build (SIGKILLed) is carried on by the next console start (slipway start --web): the build finishes on the host, its log has every line the host logged, once', { timeout: 600_000 }, async () => {
    const stateDir = tempStateDir();
    const out = join(base, 'out-carried');
    const { id, env } = await cliKilledMidInstall(stateDir, out, 'carried-on-host');
    // Its session on the host, as the CLI noted it; the helper goes on without a console, its journal growing.
    const [noted] = readdirSync(join(stateDir, 'host-sessions'));
    const session = noted!.replace(/\.json$/, '');
    const journal = () =>
      readFileSync(join(hostWorkspace, 'sessions', session, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; id: number; text?: string; value?: unknown });
    const grown = journal().length;
    await until(() => journal().length > grown + 10);

    // The next console: `slipway start --web`, as an operator starts it again.
    const consoleProcess = spawn(process.execPath, [join(packageRoot(), 'bin', 'slipway.mjs'), 'start', '--web', '--port', '0'], {
      env: { ...env, XDG_CONFIG_HOME: join(stateDir, 'config') }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const consoleExited = new Promise((resolve) => consoleProcess.once('exit', resolve));
    const said: string[] = [];
    createInterface({ input: consoleProcess.stderr! }).on('line', (line) => said.push(line));
    // A state to wait for, or the console's own words if it ends first.
    const whileRunning = (check: () => boolean) =>
      until(() => {
        if (consoleProcess.exitCode !== null) throw new Error(`the console ended (${consoleProcess.exitCode}): ${said.join(' | ')}`);
        return check();
      });
    const detail = () => JSON.parse(readFileSync(join(stateDir, 'builds', `${id}.json`), 'utf8')) as { summary: { status: string; error: string | null; artifacts: { path: string; containerSha256: string }[] } };
    try {
      // Killed while mmdebstrap ran: that step runs again, its call answered from what the host did meanwhile.
      await whileRunning(() => said.some((line) => line.includes(`build ${id}`)));
      expect(said.filter((line) => line.includes(`build ${id}`))).toEqual([`slipway: left by an earlier run: build ${id} (carried-on-host) on builder: carried on from step Install base system`]);
      // Its session is the new console's now: not among those closed as left.
      expect(said.filter((line) => line.includes(`session ${session}`))).toEqual([]);
      await whileRunning(() => detail().summary.status !== 'running');
      const { summary } = detail();
      expect(summary.error).toBeNull();
      expect(summary.status).toBe('succeeded');
      expect(sha256Of(summary.artifacts[0]!.path)).toBe(summary.artifacts[0]!.containerSha256);
      const log = readFileSync(join(stateDir, 'builds', `${id}.log.jsonl`), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { text: string }).text);
      expect(log.filter((line) => line.startsWith(`carried on by this console after the one running it ended: re-attached to its helper session ${session} on builder`))).toHaveLength(1);
      // Every line the host logged for the build, before the kill and after: in the log, in order, none twice.
      const hostLines = journal().filter((e) => e.type === 'log').map((e) => e.text!);
      // mmdebstrap ran once: the step made its call again with the same id, and the helper answered it from what it did.
      expect(hostLines.filter((line) => line.startsWith('I: installing essential packages'))).toHaveLength(1);
      expectEveryLineOnce(hostLines, log);
      expect(leaks(out, id, hostWorkspace)).toEqual([]);
      expect(readdirSync(join(stateDir, 'host-builds'))).toEqual([]);
    } finally {
      consoleProcess.kill('SIGTERM');
      await consoleExited;
    }
    // Closed with the console (no build left running): the session's helper is gone, and its folder.
    expect(existsSync(join(hostWorkspace, 'sessions', session))).toBe(false);
  });

  it('a console closed mid-build leaves its host build running there, and the next start carries it on to the end', { timeout: 600_000 }, async () => {
    const stateDir = tempStateDir();
    const out = join(base, 'out-left-running');
    const records = { dir: join(stateDir, 'host-sessions') };
    const consoleHosts = (owner: ProcessIdentity) =>
      createBuildHosts({ access: (name) => nodes.access(name), specs: () => nodes.specs(), bundle, workspace: hostWorkspace, outputRoots: [tmpdir()], helperDir: join(base, 'host-helpers'), records: { ...records, owner } });
    // The first console is this process posing as another one (a start time of its own): once closed, it reads as gone.
    const closedConsole = { pid: process.pid, startTime: 'the-console-before' };
    const firstHosts = consoleHosts(closedConsole);
    const first = makeService({ buildHosts: firstHosts, stateDir, owner: closedConsole });
    const installing = logLineSeen(first.bus, 'I: installing essential packages');
    const { id } = first.service.start(testSpec(out, { name: 'left-running', images: noBaseImages() }), { host: 'builder' });
    await installing;
    // As the console closes (real-backend.ts): its host builds left running, their helpers let go of, not closed.
    await firstHosts.close({ leave: first.service.leaveHostBuilds() });
    await first.helpers.close();
    const [noted] = readdirSync(records.dir);
    const session = noted!.replace(/\.json$/, '');
    expect(readdirSync(join(stateDir, 'host-builds'))).toEqual([`${id}.json`]);
    expect(existsSync(join(hostWorkspace, 'sessions', session, 'helper.sock'))).toBe(true);

    const nextHosts = consoleHosts(processIdentity()!);
    const next = makeService({ buildHosts: nextHosts, stateDir });
    try {
      const finished = new Promise<void>((resolve) => next.bus.subscribe((event) => event.topic === 'builds.finished' && (event.payload as { id: string }).id === id && resolve()));
      expect(await next.service.resumeHostBuilds()).toEqual({ carried: [`build ${id} (left-running) on builder: carried on from step Install base system`], ended: [] });
      await finished;
      const { summary } = next.service.get(id);
      expect(summary.error).toBeNull();
      expect(summary.status).toBe('succeeded');
      const log = (await next.service.logs(id, 0, 100_000)).lines.map((l) => l.text);
      expect(log.filter((line) => line.startsWith('left running on builder as this console closed'))).toHaveLength(1);
      // Nothing the closing connection did to the first console's run reached the log.
      expect(log.filter((line) => line.includes('the build helper exited'))).toEqual([]);
      const hostLines = readFileSync(join(hostWorkspace, 'sessions', session, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; text?: string }).filter((e) => e.type === 'log').map((e) => e.text!);
      expect(hostLines.filter((line) => line.startsWith('I: installing essential packages'))).toHaveLength(1);
      expectEveryLineOnce(hostLines, log);
      expect(leaks(out, id, hostWorkspace)).toEqual([]);
    } finally {
      await next.helpers.close();
      await nextHosts.close();
    }
  });
});
