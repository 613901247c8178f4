import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createMockBackend } from '../mock/mock-backend.js';
import { sessionPath } from './web-auth.js';
import { startWebConsole, type WebConsole } from './web-server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('web console server (mocked backend)', () => {
  let dir: string;
  let web: WebConsole;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-web-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    web = await startWebConsole({ backend: createMockBackend({ stepMs: 1 }), rendererDir: dir, port: 0 });
  });
  afterAll(async () => {
    await web.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL with the token', () => {
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/?token=${web.token}`);
  });

  it('refuses the page without the token', async () => {
    expect((await get(web.port, '/')).status).toBe(401);
    expect((await get(web.port, '/?token=wrong')).status).toBe(401);
    expect((await get(web.port, '/api/session')).status).toBe(401);
  });

  it('trades the token for an HttpOnly cookie scoped to the session path, then serves the page there with the CSP', async () => {
    const first = await get(web.port, `/?token=${web.token}`);
    expect(first.status).toBe(303);
    const prefix = sessionPath(web.token);
    expect(prefix).toMatch(/^\/s\/[\w-]{22}\/$/);
    expect(first.headers.location).toBe(prefix);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    // Cookies ignore ports: scoped to the session path, the token goes to no other loopback service (finding 7).
    expect(String(first.headers['set-cookie'])).toMatch(new RegExp(`HttpOnly; SameSite=Strict; Path=${prefix}$`));
    const page = await get(web.port, prefix, { cookie });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect((await get(web.port, `${prefix}api/session`, { cookie })).status).toBe(204);
    // A deep link keeps its path and query under the prefix.
    expect((await get(web.port, `/index.html?x=1&token=${web.token}`)).headers.location).toBe(`${prefix}index.html?x=1`);
    expect((await get(web.port, `${prefix}?token=${web.token}`)).headers.location).toBe(prefix);
    // Another token, another path: a console restarted with a new token shares nothing with the old pages.
    expect(sessionPath('another')).not.toBe(prefix);
  });

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    const answer = await get(web.port, `/?token=${web.token}`, { host: `attacker.example:${web.port}` });
    expect(answer.status).toBe(403);
  });

  it('refuses a WebSocket without the token, with a foreign Origin, or a foreign Host', async () => {
    const base = `ws://127.0.0.1:${web.port}/api/ws`;
    await expect(openSocket(base)).rejects.toThrow(/refused 401/);
    await expect(openSocket(`${base}?token=${web.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/refused 403/);
    await expect(openSocket(`${base}?token=${web.token}`, { Host: `evil.example:${web.port}` })).rejects.toThrow(/refused 403/);
  });

  it('carries the contract over the WebSocket: requests, validated errors and batched events', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${web.port}/api/ws?token=${web.token}`, { Origin: `http://127.0.0.1:${web.port}` });
    const frames: { type: string; [key: string]: unknown }[] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      frames.push(frame);
      if (frame.type === 'events') ws.send(JSON.stringify({ type: 'ack', batch: frame.batch }));
    });
    const responseTo = (id: number) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const poll = setInterval(() => {
          const found = frames.find((f) => f.type === 'response' && f.id === id);
          if (found) {
            clearInterval(poll);
            resolve(found);
          }
        }, 5);
      });

    ws.send(JSON.stringify({ type: 'request', id: 1, command: 'session.hello', payload: {} }));
    expect(await responseTo(1)).toMatchObject({ ok: true, result: { backend: 'mock' } });

    ws.send(JSON.stringify({ type: 'request', id: 2, command: 'readiness.check', payload: { extra: true } }));
    expect(await responseTo(2)).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    ws.send(JSON.stringify({ type: 'request', id: 3, command: 'readiness.check', payload: {} }));
    expect(await responseTo(3)).toMatchObject({ ok: true, result: { ready: true } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const events = frames.filter((f) => f.type === 'events').flatMap((f) => f.events as { topic: string; seq: number }[]);
    expect(events.at(-1)?.topic).toBe('readiness.report');
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    ws.close();
  });
});
