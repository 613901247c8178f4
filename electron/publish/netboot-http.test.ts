import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetbootHttp, parseRange } from './netboot-http.js';

describe('netboot HTTP server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-nbhttp-'));
  const root = join(dir, 'tftp');
  const server = createNetbootHttp({ root, accessLog: join(dir, 'access.jsonl'), bootedLog: join(dir, 'booted.jsonl') });
  let base = '';
  beforeAll(async () => {
    mkdirSync(join(root, 'amd64'), { recursive: true });
    writeFileSync(join(root, 'amd64', 'root.squashfs'), '0123456789');
    writeFileSync(join(dir, 'secret'), 'not served');
    symlinkSync(join(dir, 'secret'), join(root, 'amd64', 'escape'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves files of the root whole and by range, and logs each fetch', async () => {
    const whole = await fetch(`${base}/amd64/root.squashfs`);
    expect(whole.status).toBe(200);
    expect(await whole.text()).toBe('0123456789');
    const part = await fetch(`${base}/amd64/root.squashfs`, { headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await part.text()).toBe('234');
    expect((await fetch(`${base}/amd64/root.squashfs`, { headers: { range: 'bytes=-3' } })).status).toBe(206);
    expect((await fetch(`${base}/amd64/root.squashfs`, { headers: { range: 'bytes=20-' } })).status).toBe(416);
    const logged = readFileSync(join(dir, 'access.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { path: string; status: number; bytes: number });
    expect(logged[0]).toMatchObject({ path: '/amd64/root.squashfs', status: 200, bytes: 10 });
  });

  it('serves nothing outside the root: not through .., an encoded .., a link, a directory; no writes', async () => {
    for (const path of ['/../secret', '/amd64/%2e%2e/%2e%2e/secret', '/amd64/escape', '/amd64', '/amd64/%00', '/%E0%A4%A']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${base}/amd64/root.squashfs`, { method: 'PUT', body: 'x' })).status).toBe(405);
  });

  it('takes a phone-home with a MAC and a version, and refuses anything else', async () => {
    expect((await fetch(`${base}/slipway/booted?mac=52-54-00-12-34-56&version=compute-0123456789abcdef`)).status).toBe(200);
    expect((await fetch(`${base}/slipway/booted?mac=nope&version=x`)).status).toBe(400);
    expect((await fetch(`${base}/slipway/booted?mac=52:54:00:12:34:56&version=${encodeURIComponent('a"; rm -rf /')}`)).status).toBe(400);
    const booted = readFileSync(join(dir, 'booted.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(booted).toHaveLength(1);
    expect(booted[0]).toMatchObject({ mac: '52:54:00:12:34:56', version: 'compute-0123456789abcdef', ip: '127.0.0.1' });
  });

  it('reads single byte ranges as RFC 9110 has them', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=0-', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-4', 10)).toEqual({ start: 6, end: 9 });
    expect(parseRange('bytes=4-2', 10)).toBe('bad');
    expect(parseRange('bytes=0-1,4-5', 10)).toBe('bad');
    expect(parseRange('items=0-1', 10)).toBe('bad');
  });
});
