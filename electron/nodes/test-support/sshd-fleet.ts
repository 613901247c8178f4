import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/**
 * Real OpenSSH test nodes on loopback addresses (127.0.0.10, .11, …), each with
 * its own host key, all accepting one test client key. Used by integration
 * tests and benchmarks; `stop()` ends exactly the sshd processes it started.
 */
export interface TestNode {
  name: string;
  host: string;
  port: number;
  /** The node's host public key blob (base64), as known_hosts holds it. */
  hostKey: string;
}

export interface Fleet {
  nodes: TestNode[];
  user: string;
  /** Private key file the nodes accept (for root). */
  clientKey: string;
  /** A known_hosts text naming every node's key. */
  knownHosts: string;
  /** Sessions (exec and SFTP) the node has started so far; counted on nodes with `slowLogin` only. */
  sessions(name: string): number;
  /** The node's listening sshd (its sessions are its children): for tests that watch what a node starts. */
  pid(name: string): number | undefined;
  stopNode(name: string): Promise<void>;
  startNode(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface FleetOptions {
  count: number;
  dir: string;
  /**
   * Who logs in. Another user than root is made once (a system account with
   * /bin/sh): root's shell on a developer machine may run a heavy .bashrc for
   * every command, which is not what a lab node costs. That user must be able
   * to traverse every directory above `dir` (sshd reads its keys as the user).
   */
  user?: string;
  port?: number;
  /** First loopback address's last octet; nodes count up from it. */
  firstOctet?: number;
  /**
   * The first two octets ("127.20") of the nodes' addresses, to use a range of
   * one's own and more than one /24: nodes fill <network>.0.<firstOctet..254>,
   * then <network>.1.…; without it, 127.0.0.<firstOctet…> as before.
   */
  network?: string;
  /** The third octet with `firstOctet` (127.0.<third>.<firstOctet…>): a /24 of one's own inside 127.0.0.0/16. */
  thirdOctet?: number;
  /** A node's SFTP subsystem: in-process (the default), the sftp-server binary, none (sshd refuses SFTP), or missing. */
  sftp?: (name: string) => SftpSubsystem;
  /** Environment for a node's sessions (sshd SetEnv), by node name. */
  nodeEnv?: (name: string) => Record<string, string> | undefined;
  /**
   * Seconds every session waits in the login shell before it runs its command,
   * as a lab node's heavy rc files (pyenv, conda, modules) make it: sshd's
   * ForceCommand sleeps, then the login shell runs the command the client
   * sent (SFTP too, through sftp-server, as sshd runs an external subsystem).
   */
  slowLogin?: number;
}

/** `missing`: a Subsystem line naming a server the node does not have (it exits 127). */
export type SftpSubsystem = 'internal-sftp' | 'sftp-server' | 'none' | 'missing';

function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').split(' ')[1]!;
}

function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd on ${host}:${port} did not listen within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function subsystemLine(sftp: SftpSubsystem | undefined, slowLogin: number): string[] {
  // In-process SFTP would bypass the login shell (and a ForceCommand cannot run it): a slow node uses the binary.
  const chosen = sftp ?? (slowLogin > 0 ? 'sftp-server' : 'internal-sftp');
  if (chosen === 'none') return [];
  if (chosen === 'missing') return ['Subsystem sftp /nonexistent/sftp-server'];
  return [chosen === 'sftp-server' ? 'Subsystem sftp /usr/lib/openssh/sftp-server' : 'Subsystem sftp internal-sftp'];
}

/** Node i's loopback address (see FleetOptions.network). */
function addressOf(i: number, first: number, network: string | undefined): string {
  if (!network) return `127.0.0.${first + i}`;
  const perOctet = 255 - first;
  return `${network}.${Math.floor(i / perOctet)}.${first + (i % perOctet)}`;
}

function sshdConfig(dir: string, node: TestNode, authorizedKeys: string, env: Readonly<Record<string, string>> = {}, slowLogin = 0, sftp?: SftpSubsystem): string {
  return [
    // Each session also leaves a dot in the node's `sessions` file: what a remote action cost, counted on the node.
    ...(slowLogin > 0 ? [`ForceCommand printf . >> ${join(dir, 'sessions')}; sleep ${slowLogin}; eval "$SSH_ORIGINAL_COMMAND"`] : []),
    // A node's own environment (a PATH with broken tools, to make a node bad on purpose).
    ...Object.entries(env).map(([name, value]) => `SetEnv ${name}=${value}`),
    `ListenAddress ${node.host}:${node.port}`,
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    // Keys live under a temp dir whose modes sshd would otherwise reject.
    'StrictModes no',
    'UsePAM no',
    // OpenSSH's defaults, stated: the pool must live with them.
    'MaxSessions 10',
    'MaxStartups 10:30:100',
    'LogLevel ERROR',
    ...subsystemLine(sftp, slowLogin),
    '',
  ].join('\n');
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const port = options.port ?? 2222;
  const first = options.firstOctet ?? 10;
  if (!options.network && first + options.count > 255) throw new Error('too many test nodes for one /24 of loopback addresses: give a network');
  if (options.network && !/^127\.\d{1,3}$/.test(options.network)) throw new Error(`network "${options.network}" is not 127.N`);
  if (first < 1 || first > 254) throw new Error('firstOctet must be 1-254');
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const user = options.user ?? 'root';
  if (spawnSync('id', ['-u', user]).status !== 0) {
    // Password '*': no password login, yet not "locked" ('!'), which sshd without PAM would refuse.
    execFileSync('useradd', ['--system', '--home-dir', '/', '--no-create-home', '--shell', '/bin/sh', '--password', '*', user]);
  }
  mkdirSync(options.dir, { recursive: true });
  // sshd reads authorized_keys as the user logging in: the directory must let it through.
  chmodSync(options.dir, 0o755);
  const clientKey = join(options.dir, 'client_key');
  const clientPublic = keygen(clientKey);
  const authorizedKeys = join(options.dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `ssh-ed25519 ${clientPublic} slipway-test\n`);

  const nodes: TestNode[] = [];
  const dirs = new Map<string, string>();
  for (let i = 0; i < options.count; i++) {
    const name = `node${String(i + 1).padStart(3, '0')}`;
    const dir = join(options.dir, name);
    mkdirSync(dir, { recursive: true });
    const node: TestNode = { name, host: options.thirdOctet === undefined ? addressOf(i, first, options.network) : `127.0.${options.thirdOctet}.${first + i}`, port, hostKey: keygen(join(dir, 'host_key')) };
    if (options.slowLogin) {
      // Written by the login user's sessions, whoever that is.
      writeFileSync(join(dir, 'sessions'), '');
      chmodSync(join(dir, 'sessions'), 0o666);
    }
    writeFileSync(join(dir, 'sshd_config'), sshdConfig(dir, node, authorizedKeys, options.nodeEnv?.(name), options.slowLogin, options.sftp?.(name)));
    nodes.push(node);
    dirs.set(name, dir);
  }

  const running = new Map<string, ChildProcess>();
  async function startNode(name: string): Promise<void> {
    const node = nodes.find((n) => n.name === name);
    if (!node || running.has(name)) return;
    // -D: not a daemon, so the process we hold is the one listening, and the one we stop.
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dirs.get(name)!, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.set(name, child);
    let said = '';
    child.stderr!.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-500)));
    child.once('exit', () => running.delete(name));
    await waitForPort(node.host, node.port, 10_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${said.trim()}`);
    });
  }

  async function stopNode(name: string): Promise<void> {
    const child = running.get(name);
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // A node going down takes its open sessions with it: the per-connection sshd processes too.
    spawnSync('pkill', ['-TERM', '-P', String(child.pid)]);
    child.kill('SIGTERM');
    await exited;
  }

  // In bursts: a few dozen sshd start-ups at once is what this machine takes gladly.
  for (let i = 0; i < nodes.length; i += 20) await Promise.all(nodes.slice(i, i + 20).map((n) => startNode(n.name)));

  return {
    nodes,
    user,
    clientKey,
    knownHosts: nodes.map((n) => `${n.port === 22 ? n.host : `[${n.host}]:${n.port}`} ssh-ed25519 ${n.hostKey}\n`).join(''),
    sessions: (name) => {
      try {
        return readFileSync(join(dirs.get(name)!, 'sessions'), 'utf8').length;
      } catch {
        return 0;
      }
    },
    pid: (name) => running.get(name)?.pid,
    stopNode,
    startNode,
    async stop() {
      await Promise.all([...running.keys()].map(stopNode));
    },
  };
}
