import type { Socket } from 'node:net';
import type zookeeper from 'node-zookeeper-client';

/**
 * node-zookeeper-client 1.1.x's wire handling, made linear for a cell's reads
 * (tens of thousands of pipelined requests, children lists of megabytes):
 *
 *  - receive: its ConnectionManager.onSocketData concatenates the pending bytes
 *    with every chunk, and after each frame calls itself with the rest, copying
 *    the rest again: quadratic in the bytes per chunk (1000s of small replies in
 *    one 64 KiB read) and in a large reply's chunks. Here chunks are kept in a list,
 *    joined once per complete frame, and the library's own handler is given
 *    exactly one whole frame at a time (its parsing and dispatch are unchanged);
 *  - replies to requests the library has no parser for (multiRead) go to the
 *    request's own `onReply`, never to the library (which would drop the
 *    connection on an opcode it does not know);
 *  - send: it writes each request with its own socket.write as it is queued.
 *    Here requests queued in one turn of the event loop leave corked, in one
 *    writev (the socket's back-pressure is still the library's).
 *
 * Only the instance of one client is changed, before it connects; the library's
 * private fields it uses are named in `Manager` below.
 */
interface Manager {
  socket?: Socket;
  packetQueue: NodeJS.EventEmitter;
  pendingQueue?: { request: { header: { xid: number } | null; onReply?: (frame: Buffer) => void } }[];
  onSocketData(buffer: Buffer): void;
  onPacketQueueReadable(): void;
}

const wired = new WeakSet<zookeeper.Client>();

/** Whether `linearWire` changed this client: only then can a request carry its own reply handler. */
export const repliesRouted = (client: zookeeper.Client) => wired.has(client);

export function linearWire(client: zookeeper.Client): zookeeper.Client {
  const manager = (client as unknown as { connectionManager?: Manager }).connectionManager;
  // Another library version without these fields is left as it is: slower, still correct.
  if (!manager || typeof manager.onSocketData !== 'function' || typeof manager.onPacketQueueReadable !== 'function' || !manager.packetQueue) return client;
  const handleFrame = manager.onSocketData.bind(manager);
  const sendQueued = manager.onPacketQueueReadable.bind(manager);

  let socket: Socket | undefined;
  let chunks: Buffer[] = [];
  let buffered = 0;
  // The socket's 'data' listener is bound at connect time to manager.onSocketData: this one.
  manager.onSocketData = (chunk: Buffer) => {
    // A new connection starts with no partial frame from the old one.
    if (manager.socket !== socket) {
      socket = manager.socket;
      chunks = [];
      buffered = 0;
    }
    if (chunk.length) {
      chunks.push(chunk);
      buffered += chunk.length;
    }
    while (buffered >= 4) {
      // A size split over chunks: join them once, the head then stays whole until its frame is complete.
      if (chunks[0]!.length < 4) chunks = [Buffer.concat(chunks, buffered)];
      const frame = 4 + chunks[0]!.readInt32BE(0);
      if (frame < 4) {
        // A negative length is a corrupt stream: drop the connection (the library then reconnects).
        chunks = [];
        buffered = 0;
        manager.socket?.destroy();
        return;
      }
      if (buffered < frame) return;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
      chunks = buffered > frame ? [all.subarray(frame)] : [];
      buffered -= frame;
      const whole = all.subarray(0, frame);
      // A request the library cannot parse (multiRead, zk-multi-read.ts) carries its own reply handler: it is
      // answered in order like any other, so it is the oldest pending one when its reply comes.
      const own = manager.pendingQueue?.[0]?.request;
      if (own?.onReply && frame >= 8 && own.header?.xid === whole.readInt32BE(4)) {
        manager.pendingQueue!.shift();
        own.onReply(whole);
      } else handleFrame(whole);
      // The library destroys the socket on a reply it cannot place; the rest belongs to no connection.
      if (manager.socket !== socket || manager.socket?.destroyed) {
        chunks = [];
        buffered = 0;
        return;
      }
    }
  };

  manager.onPacketQueueReadable = () => {
    const out = manager.socket;
    if (!out || out.destroyed) return sendQueued();
    out.cork();
    try {
      sendQueued();
    } finally {
      out.uncork();
    }
  };
  let scheduled = false;
  manager.packetQueue.removeAllListeners('readable');
  manager.packetQueue.on('readable', () => {
    if (scheduled) return;
    scheduled = true;
    process.nextTick(() => {
      scheduled = false;
      manager.onPacketQueueReadable();
    });
  });
  wired.add(client);
  return client;
}
