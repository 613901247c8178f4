import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { NodeSpec } from '../../shared/contract/index.js';
import { Semaphore } from '../lib/semaphore.js';
import { ResidentShell, residentShellCommand } from './resident-shell.js';
import { ResidentSftp, type SftpSession } from './resident-sftp.js';
import { resumeDownload } from './resumable-download.js';
import { streamLines, type StreamExec, type StreamHandlers } from './stream-exec.js';
import { connect, SshError, type ConnectOptions, type ExecChannel, type ExecResult, type PtyChannel, type PtyOptions, type SshConnection } from './ssh-connection.js';

export interface PoolOptions {
  /** Everything connect() needs but the node. */
  connection: Omit<ConnectOptions, 'node' | 'loadKey'> & {
    /** The key (unlocked) to offer for a node; may wait for the operator's passphrase. */
    credentialsFor?: (node: NodeSpec) => Promise<{ privateKey?: Buffer; passphrase?: string }>;
  };
  /** Channels per connection: below OpenSSH's MaxSessions (10), the rest wait in a queue. */
  maxChannels?: number;
  /** Resident shells per node (each holds a channel): commands beyond run as they free up. */
  maxShells?: number;
  /** A resident shell unused this long is closed (the node's rc files are paid again on the next start). */
  shellIdleMs?: number;
  /** New connections being set up at once, across nodes: bursts are what sshd's MaxStartups drops. */
  maxConnecting?: number;
  /** The node a `jump` names: an inventory node, or user@host:port. */
  resolveJump?: (jump: string) => NodeSpec;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  connectImpl?: typeof connect;
  random?: () => number;
}

interface Entry {
  key: string;
  connection: Promise<SshConnection> | null;
  channels: Semaphore;
  failures: number;
  retryAt: number;
  lastError: SshError | null;
  /** Resident shells not running anything, newest last, each with the timer that closes it when unused. */
  idle: { shell: ResidentShell; timer: NodeJS.Timeout }[];
  /** Shells open or opening, and commands waiting for one to be parked. */
  liveShells: number;
  shellWaiters: ((shell: ResidentShell | null) => void)[];
  /** Login shells started on the node (resident shells opened), and commands run: what a remote action costs. */
  loginShells: number;
  commands: number;
  /** Replaced or forgotten: its shells are closed, not parked. */
  retired: boolean;
  /** The resident SFTP session (node health) and the connection it was opened on. */
  sftp: { on: SshConnection; resident: ResidentSftp } | null;
}

export interface NodeCommandStats {
  loginShells: number;
  commands: number;
}

const identity = (node: NodeSpec) => `${node.user}@${node.host}:${node.port}/${node.identity ?? ''}/${node.jump ?? ''}`;

/**
 * One SSH connection per node, reused; bounded channels per connection and
 * bounded connection set-ups overall; a node that fails is retried only after
 * an exponential, jittered backoff, and answers with its last error meanwhile.
 */
export class NodePool {
  private readonly entries = new Map<string, Entry>();
  private readonly connecting: Semaphore;
  private readonly maxChannels: number;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.connecting = new Semaphore(options.maxConnecting ?? 32);
    this.maxChannels = options.maxChannels ?? 8;
  }

  private entry(node: NodeSpec): Entry {
    const key = identity(node);
    let entry = this.entries.get(node.name);
    if (!entry || entry.key !== key) {
      if (entry) this.closeShells(entry);
      void entry?.connection?.then((c) => c.close(), () => undefined);
      entry = {
        key, connection: null, channels: new Semaphore(this.maxChannels), failures: 0, retryAt: 0, lastError: null,
        idle: [], liveShells: 0, shellWaiters: [], loginShells: 0, commands: 0, retired: false, sftp: null,
      };
      this.entries.set(node.name, entry);
    }
    return entry;
  }

  private backoff(failures: number): number {
    const ceiling = Math.min(this.options.backoffMaxMs ?? 30_000, (this.options.backoffBaseMs ?? 1_000) * 2 ** (failures - 1));
    return ceiling / 2 + ((this.options.random ?? Math.random)() * ceiling) / 2;
  }

  private connection(node: NodeSpec, entry: Entry): Promise<SshConnection> {
    if (entry.connection) return entry.connection;
    if (entry.lastError && Date.now() < entry.retryAt) {
      return Promise.reject(entry.lastError);
    }
    const attempt = (async () => {
      const release = await this.connecting.acquire();
      try {
        const { credentialsFor, ...connection } = this.options.connection;
        const sock = node.jump ? await this.throughJump(node) : undefined;
        const loadKey = async () => (await credentialsFor?.(node)) ?? {};
        const conn = await (this.options.connectImpl ?? connect)({ ...connection, node, loadKey, ...(sock ? { sock } : {}) });
        entry.failures = 0;
        entry.lastError = null;
        void conn.closed.then(() => {
          if (entry.connection === attempt) entry.connection = null;
        });
        if (this.closed) conn.close();
        return conn;
      } catch (error) {
        const failure = error instanceof SshError ? error : new SshError('unreachable', (error as Error).message);
        entry.failures += 1;
        entry.lastError = failure;
        entry.retryAt = Date.now() + this.backoff(entry.failures);
        entry.connection = null;
        throw failure;
      } finally {
        release();
      }
    })();
    entry.connection = attempt;
    return attempt;
  }

  /** ProxyJump: the jump node's pooled connection opens a channel to the node, and SSH runs inside it. */
  private async throughJump(node: NodeSpec) {
    const jump = this.options.resolveJump?.(node.jump!);
    if (!jump) throw new SshError('unreachable', `no way to reach the jump host ${node.jump}`);
    if (jump.name === node.name || jump.jump === node.name) throw new SshError('unreachable', `jump host loop at ${node.name}`);
    const via = await this.connection(jump, this.entry(jump));
    try {
      return await via.forward(node.host, node.port);
    } catch (error) {
      throw new SshError('unreachable', `through ${jump.name}: ${(error as Error).message}`);
    }
  }

  /**
   * An idle resident shell of the node, else a new one while the node has
   * fewer than its cap (one login shell start; its channel released when it
   * closes), else the next one another command parks.
   */
  private async takeShell(node: NodeSpec, entry: Entry): Promise<ResidentShell> {
    const cap = Math.min(this.options.maxShells ?? 4, Math.max(1, this.maxChannels - 1));
    for (;;) {
      for (let parked = entry.idle.pop(); parked; parked = entry.idle.pop()) {
        clearTimeout(parked.timer);
        if (!parked.shell.isClosed) return parked.shell;
      }
      if (entry.liveShells < cap) break;
      // Handed a shell by park(), or null when one closed and a new one may be opened.
      const handed = await new Promise<ResidentShell | null>((resolve) => entry.shellWaiters.push(resolve));
      if (handed && !handed.isClosed) return handed;
    }
    entry.liveShells += 1;
    let releaseChannel = () => undefined as void;
    let counted = true;
    const ended = () => {
      if (!counted) return;
      counted = false;
      releaseChannel();
      entry.liveShells -= 1;
      entry.shellWaiters.shift()?.(null);
    };
    try {
      const conn = await this.connection(node, entry);
      releaseChannel = await entry.channels.acquire();
      const channel = await conn.openChannel(residentShellCommand).catch((error: Error) => {
        throw new SshError('unreachable', `could not open a shell on ${node.name}: ${error.message}`);
      });
      entry.loginShells += 1;
      const shell = new ResidentShell(channel);
      shell.whenClosed(ended);
      return shell;
    } catch (error) {
      ended();
      throw error;
    }
  }

  private park(entry: Entry, shell: ResidentShell): void {
    if (shell.isClosed || this.closed || entry.retired) {
      shell.close();
      return;
    }
    const waiter = entry.shellWaiters.shift();
    if (waiter) return waiter(shell);
    const timer = setTimeout(() => {
      entry.idle = entry.idle.filter((parked) => parked.shell !== shell);
      shell.close();
    }, this.options.shellIdleMs ?? 120_000);
    timer.unref();
    entry.idle.push({ shell, timer });
  }

  /** A transfer needs a channel that idle shells hold: the oldest idle shell makes room. */
  private async channelFor(entry: Entry): Promise<() => void> {
    if (entry.channels.inUse >= this.maxChannels) {
      const oldest = entry.idle.shift();
      if (oldest) {
        clearTimeout(oldest.timer);
        oldest.shell.close();
      }
    }
    return entry.channels.acquire();
  }

  /**
   * Work on a node against a deadline counted from the call (connecting and
   * waiting for a shell or channel included). `left()` is the time remaining,
   * null once it has passed: work that has not started by then never starts.
   */
  private withDeadline<T>(node: NodeSpec, timeoutMs: number, work: (entry: Entry, left: () => number | null) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SshError('unreachable', 'the connection pool is closed'));
    const entry = this.entry(node);
    const deadlineAt = Date.now() + timeoutMs;
    const late = () => new SshError('timeout', `no answer from ${node.name} within ${timeoutMs} ms`);
    const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(late()), timeoutMs).unref());
    const run = work(entry, () => {
      const left = deadlineAt - Date.now();
      return left > 0 ? left : null;
    });
    run.catch(() => undefined);
    return Promise.race([run, deadline]);
  }

  /**
   * Run a command on a node, as `sh -c` would. It is a message to one of the
   * node's resident shells (made on first use): a login shell is started once
   * per shell, not once per command; the command waits for a free shell.
   */
  exec(node: NodeSpec, command: string, options: { timeoutMs?: number; onData?: (stream: 'out' | 'err', chunk: string) => void } = {}): Promise<ExecResult> {
    return this.withDeadline(node, options.timeoutMs ?? 30_000, async (entry, left) => {
      const shell = await this.takeShell(node, entry);
      try {
        const timeoutMs = left();
        // Past the deadline while waiting for a shell: the caller has its answer, so the command never runs.
        if (timeoutMs === null) throw new SshError('timeout', `no answer from ${node.name} in time`);
        entry.commands += 1;
        return await shell.run(command, { ...options, timeoutMs });
      } finally {
        this.park(entry, shell);
      }
    });
  }

  /**
   * An operator's own command, run by the node's login shell as ssh and pssh
   * run it (bash syntax where that is the shell): one login shell per call.
   */
  execInLoginShell(node: NodeSpec, command: string, options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.withDeadline(node, options.timeoutMs ?? 30_000, async (entry, left) => {
      const conn = await this.connection(node, entry);
      const release = await this.channelFor(entry);
      try {
        const timeoutMs = left();
        if (timeoutMs === null) throw new SshError('timeout', `no answer from ${node.name} in time`);
        entry.loginShells += 1;
        entry.commands += 1;
        return await conn.exec(command, { timeoutMs });
      } finally {
        release();
      }
    });
  }

  /**
   * An interactive terminal on the node over its pooled connection (host key
   * checked as for every command): it holds one of the node's channels until it
   * closes. Opening waits at most `timeoutMs`.
   */
  openPty(node: NodeSpec, options: PtyOptions & { timeoutMs?: number }): Promise<PtyChannel> {
    const { timeoutMs = 30_000, ...pty } = options;
    let late = false;
    const opening = this.withDeadline(node, timeoutMs, async (entry, left) => {
      const conn = await this.connection(node, entry);
      const release = await this.channelFor(entry);
      try {
        if (left() === null) throw new SshError('timeout', `no answer from ${node.name} in time`);
        const channel = await conn.openPty(pty);
        entry.loginShells += 1;
        channel.onClose(() => release());
        // Opened after the caller gave up: nobody will ever close it.
        if (late) channel.close();
        return channel;
      } catch (error) {
        release();
        throw error instanceof SshError ? error : new SshError('unreachable', `could not open a terminal on ${node.name}: ${(error as Error).message}`);
      }
    });
    opening.catch(() => (late = true));
    return opening;
  }

  /** A command kept running (a watcher) on the pooled connection, read line by line: it holds a channel until it closes. */
  openStream(node: NodeSpec, command: string, handlers: StreamHandlers, options: { timeoutMs?: number } = {}): Promise<StreamExec> {
    return this.withDeadline(node, options.timeoutMs ?? 30_000, async (entry, left) => {
      const conn = await this.connection(node, entry);
      const release = await this.channelFor(entry);
      let channel;
      try {
        if (left() === null || entry.retired || this.closed) throw new SshError('timeout', `no answer from ${node.name} in time`);
        channel = await conn.openChannel(command);
      } catch (error) {
        release();
        throw error instanceof SshError ? error : new SshError('unreachable', `could not start a command on ${node.name}: ${(error as Error).message}`);
      }
      entry.commands += 1;
      const stream = streamLines(channel, handlers, release);
      // Opened after the caller gave up: nobody would ever close it.
      if (left() === null) stream.close();
      return stream;
    });
  }

  /**
   * A command on its own exec channel of the pooled connection, its stdin kept
   * open for the caller (a remote helper speaking JSON lines): it holds one of
   * the node's channels until it closes, whoever closes it.
   */
  openExec(node: NodeSpec, command: string, options: { timeoutMs?: number } = {}): Promise<ExecChannel> {
    return this.withDeadline(node, options.timeoutMs ?? 30_000, async (entry, left) => {
      const conn = await this.connection(node, entry);
      const release = await this.channelFor(entry);
      let channel: ExecChannel;
      try {
        if (left() === null || entry.retired || this.closed) throw new SshError('timeout', `no answer from ${node.name} in time`);
        channel = await conn.openChannel(command);
      } catch (error) {
        release();
        throw error instanceof SshError ? error : new SshError('unreachable', `could not start a command on ${node.name}: ${(error as Error).message}`);
      }
      channel.onClose(release);
      entry.commands += 1;
      // Opened after the caller gave up: nobody would ever close it.
      if (left() === null) channel.close();
      return channel;
    });
  }

  /**
   * `work` on the node's resident SFTP session (one channel of the pooled connection; reopened after any failure
   * and with a new connection). SftpUnavailable where the node refuses SFTP or the session broke: use a shell then.
   */
  sftp<T>(node: NodeSpec, work: (session: SftpSession) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return this.withDeadline(node, timeoutMs, async (entry, left) => {
      const conn = await this.connection(node, entry);
      if (entry.sftp?.on !== conn) {
        entry.sftp?.resident.close();
        entry.sftp = { on: conn, resident: new ResidentSftp({ acquireSlot: () => this.channelFor(entry), open: () => conn.openSftp() }) };
      }
      if (entry.retired || this.closed) entry.sftp.resident.close();
      return entry.sftp.resident.use(work, left() ?? 1);
    });
  }

  /** What commands on a node have cost: login shells started against commands run. */
  stats(name: string): NodeCommandStats {
    const entry = this.entries.get(name);
    return { loginShells: entry?.loginShells ?? 0, commands: entry?.commands ?? 0 };
  }

  /** A node's file appended to a local partial file from its size (resumable-download.ts), over the resident SFTP session. */
  resumeDownload(node: NodeSpec, remote: string, local: string, onProgress?: (done: number) => void): Promise<{ bytes: number; from: number }> {
    // A whole image at SFTP speed: hours is a deadline, not an expectation.
    return this.sftp(node, (session) => resumeDownload(session.channel, remote, local, onProgress), { timeoutMs: 6 * 60 * 60 * 1000 });
  }

  /** SFTP over the node's pooled connection, with progress. */
  async transfer(node: NodeSpec, direction: 'upload' | 'download', from: string, to: string, onProgress?: (done: number, total: number) => void): Promise<void> {
    const entry = this.entry(node);
    const conn = await this.connection(node, entry);
    const release = await this.channelFor(entry);
    try {
      await (direction === 'upload' ? conn.upload(from, to, onProgress) : conn.download(from, to, onProgress));
    } finally {
      release();
    }
  }

  /**
   * One node's file streamed into another's over their pooled connections
   * (SFTP both ends): the build output spreads node to node, through this host
   * but never stored here. Returns the bytes copied.
   */
  async copyBetween(from: NodeSpec, fromPath: string, to: NodeSpec, toPath: string): Promise<number> {
    const [source, target] = [this.entry(from), this.entry(to)];
    const [readConn, writeConn] = await Promise.all([this.connection(from, source), this.connection(to, target)]);
    const releaseRead = await this.channelFor(source);
    const releaseWrite = await this.channelFor(target);
    const reader = await readConn.openFile(fromPath, 'read').catch((error: Error) => {
      releaseRead();
      releaseWrite();
      throw error;
    });
    let bytes = 0;
    try {
      const writer = await writeConn.openFile(toPath, 'write');
      try {
        reader.stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
        await pipeline(reader.stream as Readable, writer.stream as Writable);
      } finally {
        writer.end();
      }
    } finally {
      reader.end();
      releaseRead();
      releaseWrite();
    }
    return bytes;
  }

  /** For the UI and tests: how a node's connection stands. */
  state(name: string): { connected: boolean; failures: number; retryInMs: number } {
    const entry = this.entries.get(name);
    return { connected: entry?.connection !== null && entry?.connection !== undefined, failures: entry?.failures ?? 0, retryInMs: Math.max(0, (entry?.retryAt ?? 0) - Date.now()) };
  }

  /** The operator asked for this node now: skip what is left of its backoff. */
  retryNow(name: string): void {
    const entry = this.entries.get(name);
    if (entry) entry.retryAt = 0;
  }

  forget(name: string): void {
    const entry = this.entries.get(name);
    this.entries.delete(name);
    if (entry) this.closeShells(entry);
    void entry?.connection?.then((c) => c.close(), () => undefined);
  }

  private closeShells(entry: Entry): void {
    entry.retired = true;
    entry.sftp?.resident.close();
    for (const { shell, timer } of entry.idle.splice(0)) {
      clearTimeout(timer);
      shell.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.entries.values()) this.closeShells(entry);
    await Promise.all([...this.entries.values()].map((e) => e.connection?.then((c) => c.close(), () => undefined)));
    this.entries.clear();
  }
}
