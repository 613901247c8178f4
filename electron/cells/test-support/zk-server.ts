import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A standalone ZooKeeper 3.8 from Debian's `zookeeper` package, for tests: its
 * own config and data directory in a temp dir, a free port on the cells' loopback
 * range, never the system service. Debian's zkServer.sh runs
 * org.apache.zookeeper.server.quorum.QuorumPeerMain with /usr/share/java/zookeeper.jar
 * (whose manifest names its dependencies); a standalone test server needs only
 * ZooKeeperServerMain, and slf4j-simple for its log.
 */
const jar = '/usr/share/java/zookeeper.jar';
const logBinding = '/usr/share/java/slf4j-simple.jar';
export const cellsLoopback = '127.0.50.1';

/** Why ZooKeeper cannot run here, or null when it can (tests fail with this text rather than skip silently). */
export function zookeeperMissing(): string | null {
  if (!existsSync(jar)) return `${jar} is missing: install Debian's zookeeper (scripts/host-packages.txt)`;
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) return 'java is missing (Debian zookeeper depends on a JRE)';
  return null;
}

export async function freePort(host = cellsLoopback): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class ZkTestServer {
  private process: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly host: string,
    readonly port: number,
  ) {}

  get connection(): string {
    return `${this.host}:${this.port}`;
  }

  url(chroot = ''): string {
    return `zookeeper://${this.connection}${chroot}`;
  }

  /** Writes the config and starts the server; resolves when a client can connect. The caller registers stop() first. */
  static async start(options: { minSessionTimeoutMs?: number } = {}): Promise<ZkTestServer> {
    const missing = zookeeperMissing();
    if (missing) throw new Error(missing);
    const dir = mkdtempSync(join(tmpdir(), 'slipway-zk-'));
    const server = new ZkTestServer(dir, cellsLoopback, await freePort());
    // tickTime 250 ms: the minimum session timeout is 2 ticks, so a lost session shows within a second or two.
    const tick = Math.max(100, Math.floor((options.minSessionTimeoutMs ?? 1000) / 2));
    writeFileSync(
      join(dir, 'zoo.cfg'),
      [
        `tickTime=${tick}`,
        `dataDir=${join(dir, 'data')}`,
        `clientPort=${server.port}`,
        `clientPortAddress=${server.host}`,
        'admin.enableServer=false',
        '4lw.commands.whitelist=',
        `minSessionTimeout=${tick * 2}`,
        'maxSessionTimeout=60000',
        'maxClientCnxns=0',
      ].join('\n') + '\n',
    );
    await server.spawn();
    return server;
  }

  private async spawn(): Promise<void> {
    const log = join(this.dir, 'zookeeper.log');
    writeFileSync(log, '');
    const child = spawn('java', ['-Xmx256m', '-Dzookeeper.jmx.log4j.disable=true', '-cp', `${jar}:${logBinding}`, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(this.dir, 'zoo.cfg')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.process = child;
    child.stderr?.on('data', (chunk: Buffer) => writeFileSync(log, chunk, { flag: 'a' }));
    // Whatever happens to the test process, its ZooKeeper does not outlive it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    try {
      await this.waitForClient(child);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** A ZooKeeper connect request answered (the 4-letter words are off): a session handshake of our own. */
  private async waitForClient(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`ZooKeeper exited (${child.exitCode}):\n${readFileSync(join(this.dir, 'zookeeper.log'), 'utf8').slice(-2000)}`);
      if (await handshake(this.host, this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`ZooKeeper on ${this.connection} did not answer within 30 s`);
  }

  /** Stops the server (its data directory stays, for restart()). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** The same server, data and port again (sessions may survive if it is back within their timeout). */
  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }

  /** Stops the server and removes its files. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** ZooKeeper's ConnectRequest (jute): protocolVersion, lastZxidSeen, timeOut, sessionId, passwd; a reply means it serves. */
function handshake(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const body = Buffer.alloc(4 + 8 + 4 + 8 + 4 + 16 + 1);
    let offset = 0;
    offset = body.writeInt32BE(0, offset);
    offset = body.writeBigInt64BE(0n, offset);
    offset = body.writeInt32BE(2000, offset);
    offset = body.writeBigInt64BE(0n, offset);
    offset = body.writeInt32BE(16, offset);
    body.fill(0, offset);
    const frame = Buffer.concat([Buffer.alloc(4), body]);
    frame.writeInt32BE(body.length, 0);
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    // A server still starting closes the connection without an answer.
    socket.once('close', () => finish(false));
    socket.once('data', () => finish(true));
    socket.connect(port, host, () => socket.write(frame));
  });
}
