import { afterEach, describe, expect, it } from 'vitest';
import type { ClientEventsFrame, ResponseFrame } from '../../shared/contract/index.js';
import type { Backend } from '../backend/backend.js';
import { createMockBackend } from '../mock/mock-backend.js';
import { openClientSession, type ServerFrameOut } from '../transport/client-session.js';

/** Two consoles on one backend, frames recorded as a transport would carry them. */
function consoleOn(backend: Backend) {
  const frames: ServerFrameOut[] = [];
  const session = openClientSession(backend, (frame) => frames.push(structuredClone(frame)));
  let id = 0;
  async function request(command: string, payload: unknown): Promise<ResponseFrame> {
    const mine = ++id;
    session.receive({ type: 'request', id: mine, command, payload });
    await expect.poll(() => frames.some((f) => f.type === 'response' && f.id === mine)).toBe(true);
    return frames.find((f): f is ResponseFrame => f.type === 'response' && f.id === mine)!;
  }
  const clientEvents = () => frames.filter((f): f is ClientEventsFrame => f.type === 'client-events').flatMap((f) => f.events);
  const screen = () =>
    clientEvents()
      .filter((e) => e.topic === 'terminal.output')
      .map((e) => Buffer.from((e.payload as { data: string }).data, 'base64').toString())
      .join('');
  return { session, frames, request, clientEvents, screen };
}

const backends: Backend[] = [];
afterEach(async () => Promise.all(backends.splice(0).map((b) => b.close())));

describe('terminal frames between consoles', () => {
  it('reach the console that opened the terminal, never another one nor the bus', async () => {
    const backend = createMockBackend({ stepMs: 1, nodePollMs: 60_000 });
    backends.push(backend);
    const onBus: string[] = [];
    backend.bus.subscribe((event) => onBus.push(event.topic));
    const alice = consoleOn(backend);
    const bob = consoleOn(backend);
    const opened = await alice.request('terminal.open', { node: 'rack1-n01', cols: 80, rows: 24 });
    expect(opened).toMatchObject({ ok: true });
    const session = (opened as { result: { session: string } }).result.session;
    await alice.request('terminal.input', { session, data: Buffer.from('echo $((6*7))\r').toString('base64') });
    await expect.poll(() => alice.screen()).toContain('42');
    // Bob may not type into it: answered as if it did not exist.
    expect(await bob.request('terminal.input', { session, data: Buffer.from('exit 3\r').toString('base64') })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(bob.clientEvents()).toEqual([]);
    await alice.request('terminal.input', { session, data: Buffer.from('exit 0\r').toString('base64') });
    await expect.poll(() => alice.clientEvents().at(-1)).toMatchObject({ topic: 'terminal.closed', payload: { reason: 'exit', exitCode: 0 } });
    expect(onBus.filter((topic) => topic.startsWith('terminal.'))).toEqual([]);
    // Frames the renderer would refuse never leave: input over the cap is a bad request.
    const big = Buffer.alloc(16 * 1024 + 3).toString('base64');
    expect(await alice.request('terminal.input', { session, data: big })).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'data' } });
    expect(await alice.request('terminal.open', { node: 'rack1-n01', cols: 80, rows: 100_000 })).toMatchObject({ ok: false, error: { field: 'rows' } });
  });

  it('opens a shell inside a running container of the mocked lab, says a stopped one is not running, and refuses a name that is not a container’s', async () => {
    const backend = createMockBackend({ stepMs: 1, nodePollMs: 60_000 });
    backends.push(backend);
    const alice = consoleOn(backend);
    const scans = (await alice.request('containers.list', { nodes: ['rack1-n01'] })) as { result: { rows: { instance: string; unique: string | null; state: string }[] }[] };
    const rows = scans.result[0]!.rows;
    const running = rows.find((r) => r.state === 'running' && r.unique)!;
    const finished = rows.find((r) => r.state === 'finished' && r.unique)!;
    const opened = await alice.request('terminal.open', { node: 'rack1-n01', container: running.unique, cols: 80, rows: 24 });
    const session = (opened as { result: { session: string } }).result.session;
    await expect.poll(() => alice.screen()).toContain(`(${running.instance})root@rack1-n01:/# `);
    await alice.request('terminal.input', { session, data: Buffer.from('echo $((6*7))\r').toString('base64') });
    await expect.poll(() => alice.screen()).toMatch(/\r\n42\r\n/);
    const stopped = await alice.request('terminal.open', { node: 'rack1-n01', container: finished.instance, cols: 80, rows: 24 });
    const ended = (stopped as { result: { session: string } }).result.session;
    await expect.poll(() => alice.clientEvents().find((e) => e.topic === 'terminal.closed' && (e.payload as { session: string }).session === ended)?.payload).toMatchObject({ exitCode: 3, message: 'closed: exit 3' });
    expect(alice.screen()).toContain(`${finished.instance} is not running on this node: no shell to open in it\r\n`);
    expect(await alice.request('terminal.open', { node: 'rack1-n01', container: "x'; reboot; '", cols: 80, rows: 24 })).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'container' } });
    alice.session.close();
  });

  it('ends a console’s terminals when it goes away, or its page reloads', async () => {
    const backend = createMockBackend({ stepMs: 1, nodePollMs: 60_000 });
    backends.push(backend);
    const alice = consoleOn(backend);
    await alice.request('terminal.open', { node: 'rack1-n01', cols: 80, rows: 24 });
    await alice.request('terminal.open', { node: 'rack1-n02', cols: 80, rows: 24 });
    const before = alice.clientEvents().length;
    alice.session.reset();
    // The reloaded page holds none (and hears nothing of the old ones): it may open its full share again.
    for (let i = 0; i < 6; i++) expect(await alice.request('terminal.open', { node: 'rack1-n01', cols: 80, rows: 24 })).toMatchObject({ ok: true });
    expect(await alice.request('terminal.open', { node: 'rack1-n01', cols: 80, rows: 24 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/at most 6/) } });
    expect(alice.clientEvents().slice(before).filter((e) => e.topic === 'terminal.closed')).toEqual([]);
    alice.session.close();
  });
});
