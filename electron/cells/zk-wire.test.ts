import { EventEmitter } from 'node:events';
import type zookeeper from 'node-zookeeper-client';
import { describe, expect, it } from 'vitest';
import { linearWire } from './zk-wire.js';

/** The fields of node-zookeeper-client's ConnectionManager that linearWire replaces, recording what reaches them. */
function manager() {
  const frames: string[] = [];
  const sent: number[] = [];
  const socket = Object.assign(new EventEmitter(), { destroyed: false, corked: 0, cork() { this.corked += 1; }, uncork() { this.corked -= 1; } });
  const packetQueue = new EventEmitter();
  const cm = {
    socket,
    packetQueue,
    // The library's handler must be given exactly one whole frame (it keeps no partial bytes then).
    onSocketData(buffer: Buffer) {
      expect(buffer.readInt32BE(0)).toBe(buffer.length - 4);
      frames.push(buffer.subarray(4).toString());
    },
    onPacketQueueReadable() {
      sent.push(socket.corked);
    },
  };
  packetQueue.on('readable', () => cm.onPacketQueueReadable());
  linearWire({ connectionManager: cm } as unknown as zookeeper.Client);
  return { cm, frames, sent };
}

const frame = (text: string) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(4);
  head.writeInt32BE(body.length);
  return Buffer.concat([head, body]);
};

describe('linearWire', () => {
  it('hands the library whole frames whatever the chunking', () => {
    const texts = ['a', 'bc', '', 'x'.repeat(70_000), 'def'];
    const wire = Buffer.concat(texts.map(frame));
    for (const size of [1, 3, 5, 4096, wire.length]) {
      const { cm, frames } = manager();
      for (let at = 0; at < wire.length; at += size) cm.onSocketData(wire.subarray(at, at + size));
      expect(frames).toEqual(texts);
    }
  });

  it('drops a partial frame when the connection changes', () => {
    const { cm, frames } = manager();
    cm.onSocketData(frame('whole').subarray(0, 6));
    cm.socket = Object.assign(new EventEmitter(), { destroyed: false, corked: 0, cork() {}, uncork() {} });
    cm.onSocketData(frame('next'));
    expect(frames).toEqual(['next']);
  });

  it('sends the requests queued in one turn together, corked', async () => {
    const { cm, sent } = manager();
    for (let i = 0; i < 100; i += 1) cm.packetQueue.emit('readable');
    expect(sent).toEqual([]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(sent).toEqual([1]);
  });
});
