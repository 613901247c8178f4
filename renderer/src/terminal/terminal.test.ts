import { beforeEach, describe, expect, it } from 'vitest';
import { terminalLimits } from '../../../shared/contract/index.js';
import { fakeBackend } from '../test-support/fake-backend.js';
import { base64ToBytes, bytesToBase64, inputPieces } from './terminal-bytes.js';
import { createOutputRouter } from './terminal-output.js';
import { useTerminals } from './terminals-store.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('terminal bytes', () => {
  it('round-trips any bytes through base64, and cuts a paste into input frames of the cap', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64ToBytes(bytesToBase64(all))).toEqual(all);
    const paste = 'é'.repeat(10); // 20 bytes of UTF-8
    const pieces = inputPieces(paste, 'text', 6);
    expect(pieces).toHaveLength(4);
    expect(text(Uint8Array.from(pieces.flatMap((p) => [...base64ToBytes(p)])))).toBe(paste);
    expect([...base64ToBytes(inputPieces('\x1b[M !!', 'binary', 100)[0]!)]).toEqual([0x1b, 0x5b, 0x4d, 0x20, 0x21, 0x21]);
  });
});

describe('output router', () => {
  it('holds output until a screen is attached, and keeps one ack in flight, coalescing the rest', async () => {
    const acks: number[] = [];
    let release: () => void = () => undefined;
    const router = createOutputRouter((_session, bytes) => {
      acks.push(bytes);
      return new Promise<void>((resolve) => (release = resolve));
    });
    router.deliver('t-1', new Uint8Array(10));
    router.deliver('t-1', new Uint8Array(5));
    expect(router.waitingBytes('t-1')).toBe(15);
    const written: number[] = [];
    router.attach('t-1', { write: (bytes, done) => (written.push(bytes.length), done()) });
    expect(written).toEqual([10, 5]);
    expect(acks).toEqual([10]); // the second waits for the first ack's answer
    router.deliver('t-1', new Uint8Array(7));
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(acks).toEqual([10, 12]);
  });
});

describe('terminals store', () => {
  let requests: { command: string; payload: unknown }[];
  beforeEach(() => {
    useTerminals.setState({ tabs: [], active: null, visible: false });
    requests = fakeBackend((command) => (command === 'terminal.open' ? { session: 't-00000000000000aa' } : command === 'terminal.close' ? { closed: true } : {}));
  });

  it('opens a tab, asks for the session sized as the screen, and marks its end as the backend says', async () => {
    useTerminals.getState().open('rack1-n01');
    const [tab] = useTerminals.getState().tabs;
    expect(tab).toMatchObject({ node: 'rack1-n01', state: 'opening', session: null });
    expect(useTerminals.getState()).toMatchObject({ active: tab!.key, visible: true });
    await useTerminals.getState().start(tab!.key, 120, 40);
    await useTerminals.getState().start(tab!.key, 120, 40); // a second screen mount asks nothing more
    expect(requests).toEqual([{ command: 'terminal.open', payload: { node: 'rack1-n01', cols: 120, rows: 40 } }]);
    expect(useTerminals.getState().tabs[0]).toMatchObject({ state: 'open', session: 't-00000000000000aa' });
    useTerminals.getState().apply({ topic: 'terminal.closed', payload: { session: 't-00000000000000aa', reason: 'exit', exitCode: 0, signal: null, message: 'closed: exit 0' } });
    expect(useTerminals.getState().tabs[0]).toMatchObject({ state: 'closed', message: 'closed: exit 0' });
    // Closing a closed tab removes it.
    useTerminals.getState().close(tab!.key);
    expect(useTerminals.getState()).toMatchObject({ tabs: [], active: null, visible: false });
  });

  it('opens a shell inside a container: the unique name sent, `instance@node` shown', async () => {
    useTerminals.getState().open('rack1-n02', { name: 'proid.web-0000000042-AAAAAAAAAAAAA', instance: 'proid.web#0000000042' });
    const [tab] = useTerminals.getState().tabs;
    expect(tab).toMatchObject({ node: 'rack1-n02', title: 'proid.web#0000000042@rack1-n02', state: 'opening' });
    await useTerminals.getState().start(tab!.key, 100, 30);
    expect(requests).toStrictEqual([{ command: 'terminal.open', payload: { node: 'rack1-n02', container: 'proid.web-0000000042-AAAAAAAAAAAAA', cols: 100, rows: 30 } }]);
    // A node's tab sends no container at all.
    useTerminals.getState().open('rack1-n01');
    await useTerminals.getState().start(useTerminals.getState().tabs[1]!.key, 100, 30);
    expect(requests[1]).toStrictEqual({ command: 'terminal.open', payload: { node: 'rack1-n01', cols: 100, rows: 30 } });
    expect(useTerminals.getState().tabs[1]!.title).toBe('rack1-n01');
  });

  it('closes an open session through the backend, keeping the tab; a dropped link ends them all', async () => {
    useTerminals.getState().open('a');
    useTerminals.getState().open('b');
    const [a, b] = useTerminals.getState().tabs;
    await useTerminals.getState().start(a!.key, 80, 24);
    useTerminals.getState().close(a!.key);
    expect(requests.at(-1)).toEqual({ command: 'terminal.close', payload: { session: 't-00000000000000aa' } });
    expect(useTerminals.getState().tabs).toHaveLength(2);
    useTerminals.getState().connectionLost();
    expect(useTerminals.getState().tabs.map((t) => [t.key, t.state, t.message])).toEqual([
      [a!.key, 'closed', 'connection lost (to the backend)'],
      [b!.key, 'closed', 'connection lost (to the backend)'],
    ]);
  });

  it('refuses more tabs than the backend allows a console, in the tab', () => {
    for (let i = 0; i <= terminalLimits.maxSessionsPerClient; i++) useTerminals.getState().open(`n${i}`);
    const last = useTerminals.getState().tabs.at(-1)!;
    expect(last).toMatchObject({ state: 'closed', message: expect.stringMatching(/^At most \d+ terminals/) });
  });
});
