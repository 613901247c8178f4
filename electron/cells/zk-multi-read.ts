import zookeeper from 'node-zookeeper-client';
import { repliesRouted } from './zk-wire.js';

/**
 * ZooKeeper's multiRead (3.6+, opcode 22): many getData and getChildren in one
 * request and one reply. A cell's first read is ~46,000 small reads; one
 * request per read costs the server most of its CPU in per-request work (on a
 * 2-core host it was 3.3-4.2 s for the snapshot), and the client a packet and
 * a handful of jute objects each. node-zookeeper-client has no multiRead: the
 * request is written here, in ZooKeeper's jute encoding, and its reply parsed
 * here (zk-wire.ts hands it over by xid, in order).
 *
 * A multiRead sets no watch: the server rebuilds each op as Op.getData(path) / Op.getChildren(path),
 * dropping the request's watch flag (MultiOperationRecord.deserialize). Reads that want one are
 * followed by one SetWatches (opcode 101, what a client sends after a reconnect) naming their paths,
 * relative to the zxid the multiRead reply carries: the server fires at once for any node changed
 * since that zxid (DataTree.setWatches), so nothing between the read and the watch is missed. The
 * watchers are registered with the library before it is sent, so an immediate fire finds them.
 *
 * Encoding (zookeeper-jute/src/main/resources/zookeeper.jute; MultiOperationRecord.serialize,
 * MultiResponse.deserialize): each op is a MultiHeader {int type, boolean done, int err} then
 * GetDataRequest/GetChildrenRequest {ustring path, boolean watch}; the list ends with
 * MultiHeader {-1, true, -1}. The reply: per op a MultiHeader, then GetDataResponse
 * {buffer data, Stat (68 bytes)}, GetChildrenResponse {vector<ustring>}, or for type -1
 * an ErrorResult {int err}; then the end header. Watches set in a multiRead are the
 * server's (FinalRequestProcessor: getData with the connection as watcher); the client
 * side registers them with the library's watcher manager, as its own getData does.
 */

const opMultiRead = 22; // ZooDefs.OpCode.multiRead
const opGetData = 4; // ZooDefs.OpCode.getData
const opGetChildren = 8; // ZooDefs.OpCode.getChildren
const opSetWatches = 101; // ZooDefs.OpCode.setWatches
const statBytes = 68; // data.Stat: 6 longs, 5 ints

export interface ReadOp {
  kind: 'data' | 'children';
  path: string;
  /** Set on the server with the read; called once when the node (or its children) change. */
  watch?: () => void;
}

/** Per op: its data (null for an empty node), its children, or ZooKeeper's error code (-101: no node). */
export type ReadResult = { data: Buffer | null } | { children: string[] } | { error: number };

interface Manager {
  state: number;
  chrootPath?: string;
  zxid?: Buffer;
  queue(request: unknown, callback: (error: unknown) => void): void;
  registerDataWatcher(path: string, watcher: () => void): void;
  registerChildWatcher(path: string, watcher: () => void): void;
}

/** The library's Exception for a code (its `create`, untyped in its declarations): what its own reads reject with. */
export const exceptionOf = (code: number): Error => (zookeeper.Exception as unknown as { create(code: number): Error }).create(code);

/** SetWatches {long relativeZxid, vector<ustring> dataWatches, existWatches, childWatches}. */
export function encodeSetWatches(xid: number, zxid: Buffer, data: readonly string[], child: readonly string[], chroot?: string): Buffer {
  const vector = (paths: readonly string[]) => {
    const parts = paths.map((path) => Buffer.from(withChroot(chroot, path), 'utf8'));
    const out = Buffer.alloc(4 + parts.reduce((sum, part) => sum + 4 + part.length, 0));
    let at = out.writeInt32BE(parts.length, 0);
    for (const part of parts) {
      at = out.writeInt32BE(part.length, at);
      at += part.copy(out, at);
    }
    return out;
  };
  const body = Buffer.concat([zxid, vector(data), vector([]), vector(child)]);
  const head = Buffer.alloc(12);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(xid, 4);
  head.writeInt32BE(opSetWatches, 8);
  return Buffer.concat([head, body]);
}

/** Whether this client can send a multiRead (its replies are routed by zk-wire.ts). */
export const canMultiRead = (client: zookeeper.Client) => repliesRouted(client) && manager(client) !== null;

function manager(client: zookeeper.Client): Manager | null {
  const m = (client as unknown as { connectionManager?: Manager }).connectionManager;
  return m && typeof m.queue === 'function' && typeof m.registerDataWatcher === 'function' ? m : null;
}

function withChroot(chroot: string | undefined, path: string): string {
  if (!chroot || chroot === '/') return path;
  return path === '/' ? chroot : `${chroot}${path}`;
}

export function encodeMultiRead(xid: number, ops: readonly ReadOp[], chroot?: string): Buffer {
  const paths = ops.map((op) => Buffer.from(withChroot(chroot, op.path), 'utf8'));
  // length, xid, type; per op: header (9) + path (4 + n) + watch (1); the end header (9).
  const size = 12 + paths.reduce((sum, path) => sum + 9 + 4 + path.length + 1, 0) + 9;
  const out = Buffer.alloc(size);
  let at = 0;
  at = out.writeInt32BE(size - 4, at);
  at = out.writeInt32BE(xid, at);
  at = out.writeInt32BE(opMultiRead, at);
  ops.forEach((op, index) => {
    at = out.writeInt32BE(op.kind === 'data' ? opGetData : opGetChildren, at);
    at = out.writeUInt8(0, at);
    at = out.writeInt32BE(-1, at);
    const path = paths[index]!;
    at = out.writeInt32BE(path.length, at);
    at += path.copy(out, at);
    at = out.writeUInt8(op.watch ? 1 : 0, at);
  });
  at = out.writeInt32BE(-1, at);
  at = out.writeUInt8(1, at);
  out.writeInt32BE(-1, at);
  return out;
}

/** The results of one multiRead reply's payload (after the reply header), one per op. */
export function decodeMultiRead(buffer: Buffer, start: number, count: number): ReadResult[] {
  const results: ReadResult[] = [];
  let at = start;
  const need = (bytes: number) => {
    if (at + bytes > buffer.length) throw new Error('multiRead reply cut short');
  };
  for (;;) {
    need(9);
    const type = buffer.readInt32BE(at);
    const done = buffer.readUInt8(at + 4) !== 0;
    const err = buffer.readInt32BE(at + 5);
    at += 9;
    if (done) break;
    if (type === -1) {
      need(4);
      results.push({ error: buffer.readInt32BE(at) || err });
      at += 4;
    } else if (type === opGetData) {
      need(4);
      const length = buffer.readInt32BE(at);
      at += 4;
      let data: Buffer | null = null;
      if (length >= 0) {
        need(length);
        // A view, not a copy: the frame is this reply's own memory (zk-wire.ts never reuses it), and each
        // read is decoded and dropped at once, so the frame is not held after the reply is handled.
        data = buffer.subarray(at, at + length);
        at += length;
      }
      need(statBytes);
      at += statBytes;
      results.push({ data });
    } else if (type === opGetChildren) {
      need(4);
      const n = buffer.readInt32BE(at);
      at += 4;
      const children: string[] = [];
      for (let i = 0; i < n; i++) {
        need(4);
        const length = buffer.readInt32BE(at);
        at += 4;
        need(length);
        children.push(buffer.toString('utf8', at, at + length));
        at += length;
      }
      results.push({ children });
    } else throw new Error(`multiRead reply holds an op of type ${type}`);
  }
  if (results.length !== count) throw new Error(`multiRead answered ${results.length} of ${count} reads`);
  return results;
}

/**
 * Sends the reads as one multiRead; resolves with one result per op, in order.
 * Rejects with the library's Exception for a whole-request error (connection
 * loss, UNIMPLEMENTED from a server before 3.6), as its own reads do.
 */
export function multiRead(client: zookeeper.Client, ops: readonly ReadOp[]): Promise<ReadResult[]> {
  const m = manager(client);
  if (!m || !repliesRouted(client)) return Promise.reject(new Error('this ZooKeeper client cannot send multiRead'));
  return new Promise((resolve, reject) => {
    const request = {
      header: { xid: 0, type: opMultiRead },
      payload: null,
      // Called by the library when it sends the request, after it numbered it.
      toBuffer: () => encodeMultiRead(request.header.xid, ops, m.chrootPath),
      // Runs inside the socket's data handler: whatever the server sent, it rejects, never throws.
      onReply: (frame: Buffer) => {
        try {
          answer(frame);
        } catch (error) {
          reject(error as Error);
        }
      },
    };
    const answer = (frame: Buffer) => {
      // The reply header: length, xid, zxid (8 bytes), err.
      if (frame.length < 20) throw new Error('multiRead reply cut short');
      m.zxid = Buffer.from(frame.subarray(8, 16));
      const err = frame.readInt32BE(16);
      if (err !== 0) return reject(exceptionOf(err));
      const results = decodeMultiRead(frame, 20, ops.length);
      const data: string[] = [];
      const child: string[] = [];
      ops.forEach((op, index) => {
        if (!op.watch || 'error' in results[index]!) return;
        if (op.kind === 'data') {
          m.registerDataWatcher(op.path, op.watch);
          data.push(op.path);
        } else {
          m.registerChildWatcher(op.path, op.watch);
          child.push(op.path);
        }
      });
      if (data.length + child.length > 0) setWatches(m, Buffer.from(frame.subarray(8, 16)), data, child);
      resolve(results);
    };
    m.queue(request, (error) => reject(error));
  });
}

/**
 * Arms the watches of a multiRead's reads, relative to its zxid. The library
 * parses the (empty) reply itself. If the connection drops first, the library's
 * own SetWatches after the reconnect names every registered watcher anyway.
 */
function setWatches(m: Manager, zxid: Buffer, data: readonly string[], child: readonly string[]): void {
  const request = {
    header: { xid: 0, type: opSetWatches },
    payload: null,
    toBuffer: () => encodeSetWatches(request.header.xid, zxid, data, child, m.chrootPath),
  };
  m.queue(request, () => undefined);
}
