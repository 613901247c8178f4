import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientEvent, ContainerRow } from '../../shared/contract/index.js';
import { packageRoot } from '../backend/app-paths.js';
import { createClientContext } from '../backend/client-context.js';
import { createTerminalService } from '../terminal/terminal-service.js';
import { containerShellCommand } from './container-scripts.js';
import { canRunS6Node, startS6Node, type S6Node } from './test-support/s6-node.js';

const canRun = canRunS6Node && existsSync('/usr/bin/nsenter');

/** One console's terminals: what it was sent, the screen text of a session, how the session ended. */
function consoleClient() {
  const events: ClientEvent[] = [];
  const context = createClientContext('container-shell-test', (topic, payload) => events.push({ topic, payload } as ClientEvent));
  // As lines: without the terminal's mode switches (bash turns bracketed paste on and off around each command,
  // with a carriage return) and carriage returns.
  const screen = (session: string) =>
    Buffer.concat(events.flatMap((e) => (e.topic === 'terminal.output' && e.payload.session === session ? [Buffer.from(e.payload.data, 'base64')] : [])))
      .toString('utf8')
      // eslint-disable-next-line no-control-regex -- the ESC of a mode switch is what goes
      .replace(/\x1b\[\??[0-9;]*[A-Za-z]/g, '')
      .replaceAll('\r', '');
  const closed = (session: string) => {
    for (const e of events) if (e.topic === 'terminal.closed' && e.payload.session === session) return e.payload;
    return null;
  };
  return { context, screen, closed };
}

const typed = (text: string) => Buffer.from(`${text}\r`).toString('base64');

describe.runIf(canRun)('a shell inside a real container under s6, through the console’s terminal (real sshd, root)', () => {
  let node: S6Node;
  let dir = '';
  let root = '';
  let containers: S6Node['containers'];
  let terminals: ReturnType<typeof createTerminalService>;
  const manifest = (name: string, command: string) => node.manifest(name, command);
  const until = (instance: string, done: (row: ContainerRow) => boolean) => node.until(instance, done);

  beforeAll(async () => {
    node = await startS6Node({ name: 'slipway-cshell', firstOctet: 225, port: 2316 });
    ({ dir, root, containers } = node);
    const { nodes } = node;
    // Wired as the composition root wires it.
    terminals = createTerminalService({
      openPty: (name, size) => nodes.access(name).openPty(size),
      openContainerPty: (name, container, size) => containers.openShell(name, container, size),
    });
  }, 600_000);

  afterAll(async () => {
    terminals?.closeAll();
    await node?.close();
  });

  it('enters the running container: its init is pid 1, its root is the image, 6*7 is 42; stopping the container ends the shell', { timeout: 120_000 }, async () => {
    // The file the build wrote is in the image, not on this host: seeing it proves the root.
    expect(existsSync('/etc/slipway-test')).toBe(false);
    const { instance, unique } = await containers.configure('node001', manifest('shelled', 'echo written-by-the-service > /by-service; exec sleep 1717'));
    await containers.act('node001', instance, 'start');
    await until(instance, (r) => r.state === 'running');
    // As the host sees the container: unshare (data/ns-pid) and its child, the namespace's init.
    const dataDir = join(root, 'apps', unique, 'data');
    const ns = readFileSync(join(dataDir, 'ns-pid'), 'utf8').trim();
    const init = readFileSync(`/proc/${ns}/task/${ns}/children`, 'utf8').trim().split(' ')[0]!;
    const [pidNs, mntNs] = ['pid', 'mnt'].map((kind) => execFileSync('readlink', [`/proc/${init}/ns/${kind}`], { encoding: 'utf8' }).trim());
    expect(execFileSync('readlink', ['/proc/self/ns/mnt'], { encoding: 'utf8' }).trim()).not.toBe(mntNs);

    const client = consoleClient();
    const t0 = Date.now();
    const { session } = await terminals.open({ node: 'node001', container: unique }, { cols: 120, rows: 40 }, client.context);
    const screen = () => client.screen(session);
    const run = async (command: string, output: RegExp) => {
      terminals.input(session, typed(command), client.context);
      await expect.poll(screen, { timeout: 20_000 }).toMatch(output);
    };
    // Its pid namespace (a small pid; its parent, nsenter, outside: pid 0 here; pid 1 the init's shell) and its mount
    // namespace, the very ones of the init.
    await run('echo pid=$$ ppid=$PPID', /\npid=(\d+) ppid=0\n/);
    expect(Number(/pid=(\d+) ppid/.exec(screen())![1])).toBeLessThan(100);
    await run('head -c 7 /proc/1/cmdline; echo', /\n\/bin\/sh\n/);
    await run('readlink /proc/self/ns/pid /proc/self/ns/mnt', new RegExp(`\\n${pidNs!.replace(/[[\]]/g, '\\$&')}\\n${mntNs!.replace(/[[\]]/g, '\\$&')}\\n`));
    // The container's root: the image's file, and the one its service wrote on the overlay.
    await run('cat /etc/slipway-test', /\nok\n/);
    await run('ls -1 /', /\nby-service\n(.*\n)*etc\n/);
    await run('cat /by-service', /\nwritten-by-the-service\n/);
    // Bash (the image has it), as root, with the instance in Debian's prompt; and it evaluates.
    await run('echo "$BASH $(id -u)"', /\n\/bin\/bash 0\n/);
    expect(screen()).toContain(`(${instance})`);
    await run('echo $((6*7))', /\n42\n/);
    console.log(`a shell inside the container: opened, and seven commands run, in ${Date.now() - t0} ms`);

    // Stopped, its pid namespace goes and everything in it: the shell too.
    const stopping = Date.now();
    await containers.act('node001', instance, 'stop');
    // (The kernel KILLs what is left in a pid namespace whose init ended; nsenter ends as its child did.)
    await expect.poll(() => client.closed(session), { timeout: 20_000 }).toEqual({ session, reason: 'exit', exitCode: null, signal: 'SIGKILL', message: 'closed: killed by SIGKILL' });
    const closedMs = Date.now() - stopping;
    // The stop itself went as without a shell inside: s6's TERM reached the service (no KILL after the timeout).
    const stoppedRow = await until(instance, (r) => r.state === 'finished');
    expect(stoppedRow.summary).toBe('signal: SIGTERM');
    console.log(`stopped: the shell ended after ${closedMs} ms, the container (${stoppedRow.summary}) was finished after ${Date.now() - stopping} ms`);
    expect(existsSync(join(dataDir, 'ns-pid'))).toBe(false);

    // A stopped container: one clear line, and the session ends non-zero.
    const again = await terminals.open({ node: 'node001', container: instance }, { cols: 120, rows: 40 }, client.context);
    await expect.poll(() => client.closed(again.session), { timeout: 20_000 }).toEqual({ session: again.session, reason: 'exit', exitCode: 3, signal: null, message: 'closed: exit 3' });
    expect(client.screen(again.session).trim()).toBe(`${instance} is not running on this node: no shell to open in it`);
    expect(terminals.count()).toBe(0);
  });

  it('the same from the CLI: slipway containers shell NODE INSTANCE', { timeout: 120_000 }, async () => {
    const env = { ...process.env, NO_COLOR: '1', SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'), SLIPWAY_KNOWN_HOSTS: join(dir, 'known_hosts'), SLIPWAY_STATE_DIR: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config') };
    /** The built CLI, what is piped in typed into the container's pty. */
    const cli = (input: string, ...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'slipway.mjs'), 'containers', 'shell', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdin.end(input);
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const { instance } = await containers.configure('node001', manifest('clishell', 'exec sleep 1718'));
    await containers.act('node001', instance, 'start');
    await until(instance, (r) => r.state === 'running');
    const inside = await cli('cat /etc/slipway-test; echo $((6*7)); exit 5\n', 'node001', instance);
    expect(inside.stderr).toBe('');
    // Each output line starts a line (after bash's mode switch and a carriage return, when it writes them).
    expect(inside.stdout).toMatch(/[\r\n]ok\r\n42\r\n/);
    expect(inside.code).toBe(5);
    await containers.act('node001', instance, 'stop');
    await until(instance, (r) => r.state === 'finished');
    const stopped = await cli('', 'node001', instance);
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toContain(`${instance} is not running on this node: no shell to open in it\r\n`);
    const bad = await cli('', 'node001', 'not-a-container');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"not-a-container" is not a container');
  });

  it('refuses a name that is not a container’s, and one the node does not have, before anything runs', { timeout: 60_000 }, async () => {
    const client = consoleClient();
    const open = terminals.count();
    await expect(terminals.open({ node: 'node001', container: "x'; reboot; '" }, { cols: 80, rows: 24 }, client.context)).rejects.toMatchObject({ code: 'bad_request', field: 'container' });
    await expect(terminals.open({ node: 'node001', container: 'root.nothere#0000000042' }, { cols: 80, rows: 24 }, client.context)).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/no container root\.nothere#0000000042 on node001/),
    });
    expect(terminals.count()).toBe(open);
  });

  it('tells a node user who is not root (and may not sudo) so, in one line', { timeout: 60_000 }, async () => {
    const command = containerShellCommand(root, 'root.any#0000000001', 'root.any-0000000001-AAAAAAAAAAAAA');
    const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/bin/sh', '-c', command], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(result.status).toBe(4);
    expect(result.stderr).toBe('a shell inside a container needs root on the node: log in as root, or allow sudo -n\n');
  });
});
