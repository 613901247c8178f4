import { describe, expect, it } from 'vitest';
import { SlipwayError, type ClientEvent } from '../../shared/contract/index.js';
import { createClientContext } from '../backend/client-context.js';
import { createTerminalService, type TerminalChannel } from './terminal-service.js';

/** A pty stand-in: records what it was told, and lets the test produce output and an end. */
function fakeChannel() {
  const data: ((chunk: Buffer) => void)[] = [];
  const closes: ((code: number | null, signal: string | null) => void)[] = [];
  const state = { written: [] as string[], sizes: [] as [number, number][], paused: false, closed: false };
  const channel: TerminalChannel = {
    write: (bytes) => void state.written.push(bytes.toString()),
    onData: (listener) => void data.push(listener),
    onClose: (listener) => void closes.push(listener),
    resize: (cols, rows) => void state.sizes.push([cols, rows]),
    pause: () => void (state.paused = true),
    resume: () => void (state.paused = false),
    close() {
      state.closed = true;
      closes.forEach((listener) => listener(null, null));
    },
  };
  return {
    channel,
    state,
    output: (text: string | Buffer) => data.forEach((listener) => listener(Buffer.from(text))),
    exit: (code: number | null, signal: string | null = null) => closes.forEach((listener) => listener(code, signal)),
  };
}

function client(id: string) {
  const events: ClientEvent[] = [];
  const context = createClientContext(id, (topic, payload) => events.push({ topic, payload } as ClientEvent));
  const text = () =>
    events
      .filter((e) => e.topic === 'terminal.output')
      .map((e) => Buffer.from((e.payload as { data: string }).data, 'base64').toString())
      .join('');
  return { context, events, text };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const b64 = (text: string) => Buffer.from(text).toString('base64');

function setup(limits = {}) {
  const channels: ReturnType<typeof fakeChannel>[] = [];
  const opened: string[] = [];
  const service = createTerminalService({
    openPty: async (node) => {
      if (node === 'down') throw new Error('connect ECONNREFUSED');
      opened.push(node);
      const made = fakeChannel();
      channels.push(made);
      return made.channel;
    },
    openContainerPty: async (node, container) => {
      if (node === 'down') throw new Error('connect ECONNREFUSED');
      opened.push(`${container}@${node}`);
      const made = fakeChannel();
      channels.push(made);
      return made.channel;
    },
    limits,
  });
  return { service, channels, opened };
}

describe('terminal service', () => {
  it('sends output to the owning client only, coalesced, and its exit', async () => {
    const { service, channels } = setup();
    const alice = client('alice');
    const bob = client('bob');
    const { session } = await service.open('n1', { cols: 80, rows: 24 }, alice.context);
    service.input(session, b64('echo $((6*7))\r'), alice.context);
    expect(channels[0]!.state.written).toEqual(['echo $((6*7))\r']);
    channels[0]!.output('echo $((6*7))\r\n');
    channels[0]!.output('42\r\n');
    await turn();
    expect(alice.text()).toBe('echo $((6*7))\r\n42\r\n');
    expect(alice.events.filter((e) => e.topic === 'terminal.output')).toHaveLength(1);
    expect(bob.events).toEqual([]);
    channels[0]!.exit(0);
    expect(alice.events.at(-1)).toEqual({ topic: 'terminal.closed', payload: { session, reason: 'exit', exitCode: 0, signal: null, message: 'closed: exit 0' } });
    expect(service.count()).toBe(0);
  });

  it('lets no other client type into, resize, ack or close a session, nor learn that it exists', async () => {
    const { service, channels } = setup();
    const alice = client('alice');
    const mallory = client('mallory');
    const { session } = await service.open('n1', { cols: 80, rows: 24 }, alice.context);
    expect(() => service.input(session, b64('rm -rf /\r'), mallory.context)).toThrow(SlipwayError);
    expect(() => service.resize(session, 10, 10, mallory.context)).toThrow(/no open terminal/);
    expect(() => service.ack(session, 10, undefined)).toThrow(/no open terminal/);
    expect(service.close(session, mallory.context)).toBe(false);
    expect(channels[0]!.state).toMatchObject({ written: [], sizes: [], closed: false });
    service.resize(session, 120, 40, alice.context);
    expect(channels[0]!.state.sizes).toEqual([[120, 40]]);
  });

  it('pauses the node’s stream past the high mark and resumes on acks', async () => {
    const { service, channels } = setup({ highWaterBytes: 1_000, lowWaterBytes: 200, maxOutputChunkBytes: 300 });
    const alice = client('alice');
    const { session } = await service.open('n1', { cols: 80, rows: 24 }, alice.context);
    const fake = channels[0]!;
    fake.output(Buffer.alloc(700, 'a'));
    await turn();
    // Chunks of at most 300 bytes.
    expect(alice.events.map((e) => Buffer.from((e.payload as { data: string }).data, 'base64').length)).toEqual([300, 300, 100]);
    expect(fake.state.paused).toBe(false);
    fake.output(Buffer.alloc(400, 'b'));
    await turn();
    expect(fake.state.paused).toBe(true);
    service.ack(session, 700, alice.context);
    expect(fake.state.paused).toBe(true); // 400 unacked: above the low mark
    service.ack(session, 300, alice.context);
    expect(fake.state.paused).toBe(false);
  });

  it('caps sessions per client and frees a slot when one ends', async () => {
    const { service, channels } = setup({ maxSessionsPerClient: 2 });
    const alice = client('alice');
    const bob = client('bob');
    const first = await service.open('n1', { cols: 80, rows: 24 }, alice.context);
    await service.open('n2', { cols: 80, rows: 24 }, alice.context);
    await expect(service.open('n3', { cols: 80, rows: 24 }, alice.context)).rejects.toThrow(/at most 2 terminals/);
    await service.open('n3', { cols: 80, rows: 24 }, bob.context);
    expect(service.close(first.session, alice.context)).toBe(true);
    expect(channels[0]!.state.closed).toBe(true);
    expect(alice.events.at(-1)).toMatchObject({ topic: 'terminal.closed', payload: { reason: 'closed', message: 'closed' } });
    await service.open('n3', { cols: 80, rows: 24 }, alice.context);
  });

  it('ends every session of a client that goes away, and sends it nothing more', async () => {
    const { service, channels } = setup();
    const alice = client('alice');
    await service.open('n1', { cols: 80, rows: 24 }, alice.context);
    await service.open('n2', { cols: 80, rows: 24 }, alice.context);
    const before = alice.events.length;
    alice.context.end();
    expect(channels.every((c) => c.state.closed)).toBe(true);
    expect(service.count()).toBe(0);
    expect(alice.events.length).toBe(before);
  });

  it('opens a shell inside a container through its own opener, under the same rules', async () => {
    const { service, channels, opened } = setup({ maxSessionsPerClient: 2 });
    const alice = client('alice');
    const mallory = client('mallory');
    const { session } = await service.open({ node: 'n1', container: 'proid.web#0000000001' }, { cols: 80, rows: 24 }, alice.context);
    await service.open({ node: 'n1' }, { cols: 80, rows: 24 }, alice.context);
    expect(opened).toEqual(['proid.web#0000000001@n1', 'n1']);
    // One limit for both kinds, one owner.
    await expect(service.open({ node: 'n2', container: 'proid.web#0000000002' }, { cols: 80, rows: 24 }, alice.context)).rejects.toThrow(/at most 2 terminals/);
    expect(() => service.input(session, b64('id\r'), mallory.context)).toThrow(/no open terminal/);
    service.input(session, b64('id\r'), alice.context);
    expect(channels[0]!.state.written).toEqual(['id\r']);
    channels[0]!.exit(3);
    expect(alice.events.at(-1)).toEqual({ topic: 'terminal.closed', payload: { session, reason: 'exit', exitCode: 3, signal: null, message: 'closed: exit 3' } });
    await expect(service.open({ node: 'down', container: 'proid.web#0000000001' }, { cols: 80, rows: 24 }, alice.context)).rejects.toMatchObject({ code: 'failed', message: 'proid.web#0000000001@down: connect ECONNREFUSED' });
    // A backend without container shells refuses them.
    const plain = createTerminalService({ openPty: async () => fakeChannel().channel });
    await expect(plain.open({ node: 'n1', container: 'proid.web#0000000001' }, { cols: 80, rows: 24 }, alice.context)).rejects.toThrow(/not available/);
  });

  it('says a lost connection, a signal, and a node it could not reach', async () => {
    const { service, channels } = setup();
    const alice = client('alice');
    const one = await service.open('n1', { cols: 80, rows: 24 }, alice.context);
    channels[0]!.exit(null);
    expect(alice.events.at(-1)!.payload).toMatchObject({ session: one.session, reason: 'connection-lost', message: 'connection lost to n1' });
    await service.open('n1', { cols: 80, rows: 24 }, alice.context);
    channels[1]!.exit(null, 'KILL');
    expect(alice.events.at(-1)!.payload).toMatchObject({ reason: 'exit', signal: 'KILL', message: 'closed: killed by SIGKILL' });
    await expect(service.open('down', { cols: 80, rows: 24 }, alice.context)).rejects.toMatchObject({ code: 'failed', message: 'down: connect ECONNREFUSED' });
    await expect(service.open('n1', { cols: 80, rows: 24 }, undefined)).rejects.toThrow(/connected console/);
    expect(service.count()).toBe(0);
  });
});
