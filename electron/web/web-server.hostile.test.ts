import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConsoleServer } from '../../e2e/support/console-server.js';
import { maxRequestFrameBytes } from '../../shared/contract/index.js';
import { sessionPath } from './web-auth.js';

/** The console as its own process (`slipway start --web --mock`): a request that ends the process is seen as such. */
interface WebConsole {
  port: number;
  token: string;
}

const rssMiB = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Bytes straight onto a TCP connection; what came back before the server closed it (or `ms` passed). */
function raw(port: number, bytes: string | Buffer, ms = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(bytes);
  });
}

const upgrade = (port: number, target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

function openSocket(web: WebConsole): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/api/ws?token=${web.token}`, { maxPayload: 64 << 20 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A well-formed client's hello, answered within `ms`: the console is still up and serving. */
async function stillServing(web: WebConsole, ms = 1_000): Promise<boolean> {
  const ws = await openSocket(web);
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; id?: number; ok?: boolean };
        if (frame.type === 'response' && frame.id === 1) {
          clearTimeout(timer);
          resolve(frame.ok === true);
        }
      });
      ws.send(JSON.stringify({ type: 'request', id: 1, command: 'session.hello', payload: {} }));
    });
  } finally {
    ws.terminate();
  }
}

/** How a socket ended: its close code. */
const closeCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('web console under hostile input (slipway start --web --mock, its own process)', { timeout: 120_000 }, () => {
  const server = new ConsoleServer({ mock: true });
  let web: WebConsole;

  beforeAll(async () => {
    await server.start();
    web = { port: server.port, token: server.token };
  }, 30_000);
  afterAll(() => server.stop());

  it('an upgrade for the target //[ (no URL) is a 400, and the console stays up', async () => {
    expect(server.pid).not.toBeNull();
    expect(await raw(web.port, upgrade(web.port, '//['))).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(web.port, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await stillServing(web)).toBe(true);
  });

  it('an upgrade with the cookie value % is a 401, and the console stays up', async () => {
    expect(await raw(web.port, upgrade(web.port, '/api/ws', `Cookie: slipway_${web.port}=%\r\n`))).toMatch(/^HTTP\/1\.1 401/);
    expect(await stillServing(web)).toBe(true);
  });

  it('a frame over the limit closes that socket with 1009, broken UTF-8 with 1007; others go on', async () => {
    const big = await openSocket(web);
    const bigClosed = closeCode(big);
    big.send(Buffer.alloc(maxRequestFrameBytes + 1, 0x61), { binary: false });
    expect(await bigClosed).toBe(1009);
    const broken = await openSocket(web);
    const brokenClosed = closeCode(broken);
    // A text frame whose payload is not UTF-8: ws sends what it is given.
    broken.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await brokenClosed).toBe(1007);
    expect(await stillServing(web)).toBe(true);
  });

  it('the largest spec the contract allows fits in a frame; one over it is refused by name, not by a closed socket', async () => {
    const ws = await openSocket(web);
    const answers = new Map<number, { ok: boolean; error?: { message: string } }>();
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id: number; ok: boolean; error?: { message: string } };
      if (frame.type === 'response') answers.set(frame.id, frame);
    });
    // 600,000 two-byte characters: 1.2 MB of UTF-8, over the 1 MiB document limit.
    ws.send(JSON.stringify({ type: 'request', id: 1, command: 'builds.validate', payload: { specText: 'é'.repeat(600_000) } }));
    // At the limit in bytes, all control characters: JSON makes each one six bytes.
    ws.send(JSON.stringify({ type: 'request', id: 2, command: 'builds.validate', payload: { specText: '\u0001'.repeat(1 << 20) } }));
    await expect.poll(() => answers.size, { timeout: 10_000 }).toBe(2);
    expect(answers.get(1)).toMatchObject({ ok: false, error: { message: expect.stringContaining('at most 1 MiB') } });
    // Within the limit: validated as a spec (its problems), never a closed socket.
    expect(answers.get(2)!.ok).toBe(true);
    ws.terminate();
  });

  it('a client that sends 200,000 requests and reads nothing holds the backend to a bounded size', { timeout: 60_000 }, async () => {
    const pid = server.pid!;
    const before = rssMiB(pid);
    const ws = await openSocket(web);
    // It never reads: what the backend answers waits in its buffers, and it stops reading this client.
    ws.pause();
    const frame = (id: number) => JSON.stringify({ type: 'request', id, command: 'session.hello', payload: {} });
    for (let id = 0; id < 200_000; id++) ws.send(frame(id));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = rssMiB(pid);
    console.log(`200,000-request flood without reading: backend RSS ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after`);
    expect(after - before).toBeLessThan(64);
    ws.terminate();
    expect(await stillServing(web)).toBe(true);
  });

  it('sends a browser back only to this origin after taking the token', async () => {
    const answer = await raw(web.port, `GET /.//evil.example/?token=${web.token} HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 303/);
    // Under the session path, on this origin: never `//evil.example/`.
    expect(answer).toContain(`\r\nLocation: ${sessionPath(web.token)}evil.example/\r\n`);
  });

  it('survives random request lines, headers, cookies, upgrades and frames, and answers a good client within 1 s after each batch', { timeout: 60_000 }, async () => {
    const printable = fc.string({ unit: 'binary', maxLength: 60 });
    const requestBytes = fc.oneof(
      fc.tuple(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', '\u0000', 'G ET'), printable, fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9', ''))
        .map(([method, target, version]) => `${method} ${target} ${version}\r\nHost: 127.0.0.1:${web.port}\r\n\r\n`),
      fc.tuple(printable, printable).map(([target, cookie]) => upgrade(web.port, `/${target}`, `Cookie: slipway_${web.port}=${cookie}\r\n`)),
      fc.tuple(printable, printable).map(([host, origin]) => upgrade(web.port, '/api/ws', `Host: ${host}\r\nOrigin: ${origin}\r\n`)),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    );
    const frame = fc.oneof(
      fc.json().map((json) => Buffer.from(json)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.record({ type: fc.constantFrom('request', 'ack', 'x'), id: fc.oneof(fc.integer(), fc.string()), command: fc.string(), payload: fc.anything() }).map((f) => Buffer.from(JSON.stringify(f) ?? 'null')),
      fc.integer({ min: maxRequestFrameBytes - 16, max: maxRequestFrameBytes + 16 }).map((size) => Buffer.alloc(size, 0x20)),
    );
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(requestBytes, { maxLength: 5 }), fc.array(frame, { maxLength: 5 }), async (requests, frames) => {
        cases += 1;
        await Promise.all(requests.map((bytes) => raw(web.port, bytes, 300)));
        const ws = await openSocket(web);
        const ended = closeCode(ws);
        for (const bytes of frames) if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: false });
        ws.close();
        await ended;
        return server.pid !== null && (await stillServing(web, 1_000));
      }),
      { numRuns: 60 },
    );
    console.log(`web console fuzz: ${cases} batches, each followed by a good client answered within 1 s`);
  });
});
