import { deflateSync } from 'node:zlib';
import zookeeper from 'node-zookeeper-client';
import { pythonJson } from '../../containers/test-support/treadmill-writers.js';
import { traceShardOf, traceShards } from '../cell-names.js';

const { CreateMode, Exception } = zookeeper;

/** zkutils.py:_payload: json.dumps(data, sort_keys=True) for objects, str.encode() for text, b'' for None. */
export function payload(data: unknown): Buffer {
  if (data === null || data === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data);
  return Buffer.from(pythonJson(sortKeys(data)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, item]) => [key, sortKeys(item)]));
}

function call<T>(run: (done: (error: Error | zookeeper.Exception | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result))));
}

export async function connectClient(connection: string, sessionTimeout = 2000): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(connection, { sessionTimeout, spinDelay: 200 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ZooKeeper session with ${connection}`)), 15_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  return client;
}

const isNodeExists = (error: unknown) => error instanceof Exception && error.getCode() === Exception.NODE_EXISTS;
const isNoNode = (error: unknown) => error instanceof Exception && error.getCode() === Exception.NO_NODE;

/**
 * Writes a fake Treadmill cell the way Treadmill's own code does (each method
 * names the function it copies, in lib/python/treadmill): the master's
 * persistent nodes, the compressed /placement blob, each server's presence on a
 * session of its own (closing it is that server going down), trace nodes as the
 * publisher names them. Tests only: Slipway itself never writes to a cell.
 */
export class FakeCell {
  private readonly nodeSessions = new Map<string, zookeeper.Client>();

  private constructor(
    readonly connection: string,
    private readonly master: zookeeper.Client,
  ) {}

  /** `connection` may end with a chroot; the chroot is made first (as zkutils.py:connect_native does). */
  static async connect(connection: string): Promise<FakeCell> {
    const slash = connection.indexOf('/');
    if (slash >= 0) {
      const root = await connectClient(connection.slice(0, slash));
      await call<string>((done) => root.mkdirp(connection.slice(slash), done));
      root.close();
    }
    // The master's session outlives a test that blocks its event loop (spawnSync) for a while.
    return new FakeCell(connection, await connectClient(connection, 10_000));
  }

  close(): void {
    for (const client of this.nodeSessions.values()) client.close();
    this.nodeSessions.clear();
    this.master.close();
  }

  create(path: string, data: unknown, mode: number = CreateMode.PERSISTENT, client = this.master): Promise<string> {
    return call<string>((done) => client.create(path, payload(data), mode, done));
  }

  /** zkutils.py:put: create, or set the data when the node exists. */
  async put(path: string, data: unknown, client = this.master): Promise<void> {
    try {
      await this.create(path, data, CreateMode.PERSISTENT, client);
    } catch (error) {
      if (!isNodeExists(error)) throw error;
      await call((done) => client.setData(path, payload(data), done));
    }
  }

  /** zkutils.py:ensure_deleted. */
  async delete(path: string, client = this.master): Promise<void> {
    try {
      await call<void>((done) => client.remove(path, (error) => done(error, undefined)));
    } catch (error) {
      if (!isNoNode(error)) throw error;
    }
  }

  /** scheduler/master.py:Master.create_rootns (the paths Slipway reads) and the 256 trace shards. */
  async create_rootns(): Promise<void> {
    for (const path of ['/servers', '/server.presence', '/placement', '/blackedout.servers', '/scheduled', '/running', '/finished', '/trace']) await this.put(path, null);
    await Promise.all(traceShards().map((shard) => this.put(`/trace/${shard}`, null)));
  }

  /** /servers/<host> as `treadmill admin ... server configure` and presence.py:register_server leave it. */
  server(host: string, data: Record<string, unknown>): Promise<void> {
    return this.put(`/servers/${host}`, data);
  }

  /**
   * presence.py:register_server on the node's own session: an ephemeral sequential '<host>#' node holding
   * {'seen': False}. Returns the node path; nodeDown(host) closes that session.
   */
  async register_server(host: string, sessionTimeout = 2000): Promise<string> {
    const session = await connectClient(this.connection, sessionTimeout);
    this.nodeSessions.set(host, session);
    return this.create(`/server.presence/${host}#`, { seen: false }, CreateMode.EPHEMERAL_SEQUENTIAL, session);
  }

  /** The node's ZooKeeper session ends (the server is gone): its ephemeral nodes go with it. */
  nodeDown(host: string): void {
    this.nodeSessions.get(host)?.close();
    this.nodeSessions.delete(host);
  }

  /** scheduler/master.py:Master._record_server_state: /placement/<host> = {'state', 'since'}. */
  record_server_state(host: string, state: 'up' | 'down' | 'frozen', since: number): Promise<void> {
    return this.put(`/placement/${host}`, { state, since });
  }

  blackout(host: string, reason: string): Promise<void> {
    return this.put(`/blackedout.servers/${host}`, reason);
  }

  /** Scheduling an app: a persistent sequential /scheduled/<app>#<10 digits> holding the manifest. Returns the instance name. */
  async schedule(app: string, manifest: Record<string, unknown>): Promise<string> {
    const path = await this.create(`/scheduled/${app}#`, manifest, CreateMode.PERSISTENT_SEQUENTIAL);
    return path.slice('/scheduled/'.length);
  }

  /** scheduler/master.py:Master.reschedule: /placement/<host>/<instance> with _placement_data, then _save_placement. */
  async place(host: string, instance: string, expires = 0): Promise<void> {
    await this.put(`/placement/${host}/${instance}`, { expires, identity: null, identity_count: null });
  }

  async unplace(host: string, instance: string): Promise<void> {
    await this.delete(`/placement/${host}/${instance}`);
  }

  /** scheduler/master.py:Master._save_placement: zlib.compress(json.dumps(placement).encode()). */
  save_placement(entries: [string, string | null, number | null, string | null, number | null][]): Promise<void> {
    return this.put('/placement', deflateSync(Buffer.from(JSON.stringify(entries).replaceAll(',', ', '))));
  }

  /** presence.py:EndpointPresence.register_running: ephemeral /running/<instance> = hostname, on the node's session. */
  register_running(instance: string, host: string): Promise<string> {
    return this.create(`/running/${instance}`, host, CreateMode.EPHEMERAL, this.nodeSessions.get(host) ?? this.master);
  }

  /** presence.py:EndpointPresence.unregister_running. */
  unregister_running(instance: string, host: string): Promise<void> {
    return this.delete(`/running/${instance}`, this.nodeSessions.get(host) ?? this.master);
  }

  /**
   * trace/app/zk.py:publish: /trace/<shard>/<instance>,<when>,<host>,<type>,<data> with the payload as data;
   * for aborted/killed/finished also /finished/<instance> = {state, when, host, data} and _unschedule.
   */
  async publish(instance: string, when: string, host: string, type: string, data: string, eventPayload: unknown = null): Promise<void> {
    const shard = traceShardOf(instance);
    if (!shard) throw new Error(`${instance} is not an instance name`);
    try {
      await this.create(`/trace/${shard}/${instance},${when},${host},${type},${data}`, eventPayload);
    } catch (error) {
      if (!isNodeExists(error)) throw error;
    }
    if (['aborted', 'killed', 'finished'].includes(type)) {
      await this.put(`/finished/${instance}`, { state: type, when, host, data });
      // trace/app/zk.py:_unschedule: only the server the app is placed on deletes /scheduled.
      const placed = await call<zookeeper.Stat | null>((done) => this.master.exists(`/placement/${host}/${instance}`, done));
      if (placed) await this.delete(`/scheduled/${instance}`);
    }
  }

  /** scheduler/master.py:Master.remove_app: placement deleted; 'terminated' in /finished unless something finished it. */
  async remove_app(instance: string, host: string | null): Promise<void> {
    if (host) await this.delete(`/placement/${host}/${instance}`);
    const finished = await call<zookeeper.Stat | null>((done) => this.master.exists(`/finished/${instance}`, done));
    if (!finished) await this.put(`/finished/${instance}`, { data: null, host, state: 'terminated', when: Date.now() / 1000 });
  }

  /** Raw bytes at a path, for malformed-data tests. */
  raw(path: string, data: Buffer | string): Promise<void> {
    return this.put(path, Buffer.isBuffer(data) ? data : Buffer.from(data));
  }
}
