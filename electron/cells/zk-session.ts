import zookeeper from 'node-zookeeper-client';
import { canMultiRead, exceptionOf, multiRead, type ReadOp, type ReadResult } from './zk-multi-read.js';
import { linearWire } from './zk-wire.js';
import type { ZkUrl } from './zk-url.js';

export type ZkState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

export interface ZkSessionOptions {
  /** Asked of the server; it answers within its min/max session timeout. */
  sessionTimeoutMs?: number;
  onState: (state: ZkState, error: string | null) => void;
}

/** A one-shot watch: called once when the node or its children change (ZooKeeper watches fire once). */
export type Watch = () => void;

const { Exception } = zookeeper;

/**
 * One read-only ZooKeeper session for one cell. Only reads are exposed: Slipway
 * never writes to a cell. Requests are sent as soon as they are made and
 * answered by xid, so many calls in flight at once are pipelined on the one
 * connection. After an expiry the owner calls `renew()` for a new session.
 */
export class ZkSession {
  private client: zookeeper.Client | null = null;
  private generation = 0;
  private closed = false;

  constructor(
    readonly url: ZkUrl,
    private readonly options: ZkSessionOptions,
  ) {}

  /** Connects (and keeps retrying, as the library does, until closed). */
  start(): void {
    if (this.closed) throw new Error('the ZooKeeper session is closed');
    const generation = ++this.generation;
    const client = linearWire(zookeeper.createClient(this.url.connectionString, { sessionTimeout: this.options.sessionTimeoutMs ?? 10_000, spinDelay: baseSpinMs, retries: 0 }));
    this.client = client;
    backOff(client);
    answerDeadline(client);
    const report = (state: ZkState, error: string | null = null) => {
      // A replaced client's late events say nothing about the current session.
      if (generation === this.generation && !this.closed) this.options.onState(state, error);
    };
    // Disconnected for longer than the session's timeout, the session is gone on the server whatever the
    // client says: taken as expired here (Curator's StandardConnectionHandlingPolicy does the same), and a
    // new session is read at once rather than after the library's next round of tries is answered.
    let lost: NodeJS.Timeout | null = null;
    const found = () => {
      if (lost) clearTimeout(lost);
      lost = null;
    };
    this.stopTimers = found;
    client.on('connected', () => {
      found();
      report('connected');
    });
    client.on('disconnected', () => {
      found();
      if (generation !== this.generation) return;
      const timeoutMs = client.getSessionTimeout();
      lost = setTimeout(() => {
        lost = null;
        report('expired', `no ZooKeeper connection for ${timeoutMs} ms, the session's timeout: the session is taken as expired`);
      }, timeoutMs);
      lost.unref();
      report('disconnected');
    });
    client.on('expired', () => {
      found();
      report('expired', 'the ZooKeeper session expired');
    });
    client.on('authenticationFailed', () => report('disconnected', 'ZooKeeper refused the authentication'));
    report('connecting');
    client.connect();
  }

  private stopTimers: () => void = () => undefined;

  /** A new session after the old one expired: the old client is let go first, its watches die with it. */
  renew(): void {
    this.release();
    this.start();
  }

  close(): void {
    this.closed = true;
    this.generation += 1;
    this.release();
    this.options.onState('closed', null);
  }

  /**
   * Lets the current client go. A connected one closes its session (the server ends it at once). One that
   * is not connected cannot send that, and its socket may be held by a server that never answers: the
   * socket is destroyed and the client retired, so no retry outlives it.
   */
  private release(): void {
    this.stopTimers();
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.getState() === zookeeper.State.SYNC_CONNECTED) {
      client.close();
      return;
    }
    const manager = managerOf(client);
    if (manager) retired.add(manager);
    manager?.socket?.destroy();
  }

  private current(): zookeeper.Client {
    if (!this.client) throw new Error('the ZooKeeper session is not started');
    return this.client;
  }

  /** The children of `path`, or null when it does not exist (a watch is then not set). */
  children(path: string, watch?: Watch): Promise<string[] | null> {
    const client = this.current();
    return new Promise((resolve, reject) => {
      const done = (error: Error | zookeeper.Exception | null, children: string[]) => {
        if (error && isNoNode(error)) resolve(null);
        else if (error) reject(asError(error, path));
        else resolve(children);
      };
      if (watch) client.getChildren(path, () => watch(), done);
      else client.getChildren(path, done);
    });
  }

  /** The data of `path` (null for an empty node), or undefined when it does not exist. */
  data(path: string, watch?: Watch): Promise<Buffer | null | undefined> {
    const client = this.current();
    return new Promise((resolve, reject) => {
      const done = (error: Error | zookeeper.Exception | null, data: Buffer) => {
        if (error && isNoNode(error)) resolve(undefined);
        else if (error) reject(asError(error, path));
        else resolve(data ?? null);
      };
      if (watch) client.getData(path, () => watch(), done);
      else client.getData(path, done);
    });
  }

  /**
   * The data of many nodes, in order (as `data`), each with its own watch: in multiRead batches of
   * `batch` where the server has it (ZooKeeper 3.6+), one request each otherwise.
   */
  async dataMany(paths: readonly string[], watchOf?: (path: string) => Watch | undefined, batch = 1000): Promise<(Buffer | null | undefined)[]> {
    const results = await this.readMany(paths.map((path) => ({ kind: 'data', path, ...withWatch(watchOf?.(path)) })), batch);
    return results.map((result, index) => {
      if ('data' in result) return result.data;
      if ('error' in result && result.error === Exception.NO_NODE) return undefined;
      throw readError(result, paths[index]!);
    });
  }

  /** The children of many nodes, in order (as `children`): null for a node that does not exist. */
  async childrenMany(paths: readonly string[], watchOf?: (path: string) => Watch | undefined, batch = 16): Promise<(string[] | null)[]> {
    const results = await this.readMany(paths.map((path) => ({ kind: 'children', path, ...withWatch(watchOf?.(path)) })), batch);
    return results.map((result, index) => {
      if ('children' in result) return result.children;
      if ('error' in result && result.error === Exception.NO_NODE) return null;
      throw readError(result, paths[index]!);
    });
  }

  /** Set when the server refused a multiRead as unimplemented (before 3.6): single reads from then on. */
  private multiReadRefused = false;

  private async readMany(ops: ReadOp[], batch: number): Promise<ReadResult[]> {
    const client = this.current();
    if (this.multiReadRefused || !canMultiRead(client)) return this.readEach(ops);
    const batches: ReadOp[][] = [];
    for (let i = 0; i < ops.length; i += batch) batches.push(ops.slice(i, i + batch));
    try {
      // A few batches in flight: the server reads one while the next travels.
      return (await pipelined(batches, 4, (part) => multiRead(client, part))).flat();
    } catch (error) {
      if (!(error instanceof Exception && error.getCode() === Exception.UNIMPLEMENTED)) throw asError(error as Error, ops[0]?.path ?? '/');
      this.multiReadRefused = true;
      return this.readEach(ops);
    }
  }

  /** The same reads one request each, pipelined: for a server without multiRead. */
  private readEach(ops: ReadOp[]): Promise<ReadResult[]> {
    return pipelined(ops, 1000, async (op): Promise<ReadResult> => {
      if (op.kind === 'data') {
        const data = await this.data(op.path, op.watch);
        return data === undefined ? { error: Exception.NO_NODE } : { data };
      }
      const children = await this.children(op.path, op.watch);
      return children === null ? { error: Exception.NO_NODE } : { children };
    });
  }

  /** Whether `path` exists; with a watch, it fires on its creation too. */
  exists(path: string, watch?: Watch): Promise<boolean> {
    const client = this.current();
    return new Promise((resolve, reject) => {
      const done = (error: Error | zookeeper.Exception | null, stat: zookeeper.Stat) => (error ? reject(asError(error, path)) : resolve(Boolean(stat)));
      if (watch) client.exists(path, () => watch(), done);
      else client.exists(path, done);
    });
  }
}

const withWatch = (watch: Watch | undefined) => (watch ? { watch } : {});

/** A read's error code as the library's own reads say it: "NO_AUTH reading /path". */
function readError(result: ReadResult, path: string): Error {
  const code = 'error' in result ? result.error : 0;
  return asError(exceptionOf(code) as unknown as zookeeper.Exception, path);
}

/** The library waits a random time up to its spinDelay after a round of every server failed: that delay doubles per failed round, up to a cap, and is back to the base once connected. */
const baseSpinMs = 500;
const maxSpinMs = 5_000;

interface RetryingManager {
  socket?: { destroy(): void };
  state: number;
  connectTimeout: number;
  onSocketConnected(): void;
  spinDelay: number;
  serverAttempts: number;
  servers: unknown[];
  findNextServer(callback: (server: unknown) => void): void;
}

/** node-zookeeper-client's private ConnectionManager, whose fields RetryingManager names. */
const managerOf = (client: zookeeper.Client) => (client as unknown as { connectionManager?: RetryingManager }).connectionManager;

/** Clients let go while not connected: they connect to nothing again. */
const retired = new WeakSet<RetryingManager>();

/**
 * Retries with backoff (and the library's own jitter) for a ZooKeeper that is down: node-zookeeper-client
 * retries every spinDelay (ConnectionManager.findNextServer) for ever. The cap keeps a cell that comes back
 * read again within seconds, well inside a session's timeout.
 */
function backOff(client: zookeeper.Client): void {
  const manager = managerOf(client);
  if (!manager || typeof manager.findNextServer !== 'function' || !Array.isArray(manager.servers)) return;
  const next = manager.findNextServer.bind(manager);
  manager.findNextServer = (callback) => {
    if (manager.serverAttempts >= manager.servers.length) manager.spinDelay = Math.min(maxSpinMs, manager.spinDelay * 2);
    next((server) => {
      if (!retired.has(manager)) callback(server);
    });
  };
  client.on('connected', () => {
    manager.spinDelay = baseSpinMs;
  });
}

/** ConnectionManager.STATES.CONNECTING in node-zookeeper-client. */
const connectingState = 1;

/**
 * A server that takes the connection and never answers the handshake is left after the connect timeout, as
 * one that refuses: the library clears that timeout once TCP connects (ConnectionManager.onSocketConnected)
 * and would wait on such a server for ever, even for a first connection, which has no session to expire.
 */
function answerDeadline(client: zookeeper.Client): void {
  const manager = managerOf(client);
  if (!manager || typeof manager.onSocketConnected !== 'function' || typeof manager.connectTimeout !== 'number') return;
  // The socket's 'connect' listener is bound at connect time to manager.onSocketConnected: this one.
  const connected = manager.onSocketConnected.bind(manager);
  manager.onSocketConnected = () => {
    connected();
    const socket = manager.socket;
    setTimeout(() => {
      if (manager.socket === socket && manager.state === connectingState) socket?.destroy();
    }, manager.connectTimeout).unref();
  };
}

function isNoNode(error: Error | zookeeper.Exception): boolean {
  return error instanceof Exception && error.getCode() === Exception.NO_NODE;
}

function asError(error: Error | zookeeper.Exception, path: string): Error {
  return error instanceof Error ? error : new Error(`${error.getName()} reading ${path}`);
}

/** True for the errors a lost connection gives (the read is retried after a reconnect, not reported as a problem). */
export function isConnectionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /CONNECTION_LOSS|SESSION_EXPIRED|session is not started|OPERATION_TIMEOUT/.test(message);
}

/** Runs `work` over `items` with at most `inFlight` calls pending: pipelined, yet bounded in memory. */
export async function pipelined<T, R>(items: readonly T[], inFlight: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, lane));
  return results;
}
