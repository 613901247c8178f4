import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { NodeSpec } from '../../shared/contract/index.js';
import { Semaphore } from './semaphore.js';
import { connect, SshError, type ConnectOptions, type ExecResult, type SshConnection } from './ssh-connection.js';

export interface PoolOptions {
  /** Everything connect() needs but the node. */
  connection: Omit<ConnectOptions, 'node' | 'loadKey'> & {
    /** The key (unlocked) to offer for a node; may wait for the operator's passphrase. */
    credentialsFor?: (node: NodeSpec) => Promise<{ privateKey?: Buffer; passphrase?: string }>;
  };
  /** Channels per connection: below OpenSSH's MaxSessions (10), the rest wait in a queue. */
  maxChannels?: number;
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
      void entry?.connection?.then((c) => c.close(), () => undefined);
      entry = { key, connection: null, channels: new Semaphore(this.maxChannels), failures: 0, retryAt: 0, lastError: null };
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

  /** Run a command on a node; the connection is made or reused, the channel waits for a free slot. */
  async exec(node: NodeSpec, command: string, options: { timeoutMs?: number; onData?: (stream: 'out' | 'err', chunk: string) => void } = {}): Promise<ExecResult> {
    if (this.closed) throw new SshError('unreachable', 'the connection pool is closed');
    const entry = this.entry(node);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new SshError('timeout', `no answer from ${node.name} within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    const run = (async () => {
      const conn = await this.connection(node, entry);
      const release = await entry.channels.acquire();
      try {
        return await conn.exec(command, options);
      } finally {
        release();
      }
    })();
    return Promise.race([run, deadline]);
  }

  /** SFTP over the node's pooled connection, with progress. */
  async transfer(node: NodeSpec, direction: 'upload' | 'download', from: string, to: string, onProgress?: (done: number, total: number) => void): Promise<void> {
    const entry = this.entry(node);
    const conn = await this.connection(node, entry);
    const release = await entry.channels.acquire();
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
    const releaseRead = await source.channels.acquire();
    const releaseWrite = await target.channels.acquire();
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
    void this.entries.get(name)?.connection?.then((c) => c.close(), () => undefined);
    this.entries.delete(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.values()].map((e) => e.connection?.then((c) => c.close(), () => undefined)));
    this.entries.clear();
  }
}
