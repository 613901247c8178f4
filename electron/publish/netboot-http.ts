import { appendFileSync, createReadStream, realpathSync, renameSync, statSync, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sep } from 'node:path';

/**
 * The netboot HTTP server: the TFTP root read-only (root images are fetched
 * whole by live-boot's wget, kernels by iPXE or lpxelinux), range requests,
 * and one write: `/slipway/booted?mac=…&version=…`, a booted image's
 * phone-home, appended to a file. Nothing outside the root is served, not
 * through `..`, not through a link; no listings.
 */
export interface NetbootHttpOptions {
  root: string;
  /** One JSON line per request: time, client, path, status, bytes. */
  accessLog: string;
  /** One JSON line per phone-home. */
  bootedLog: string;
  now?: () => Date;
}

const mac = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const logCap = 16 << 20;
const version = /^[A-Za-z0-9._+-]{1,100}$/;

/** A single `bytes=a-b` range within the file; null for none, 'bad' for one that cannot be served. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'bad';
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? 'bad' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start > end || start >= size ? 'bad' : { start, end };
}

/** The file a URL path names inside the root, or null: decoded once, no `..`, no NUL, and its real path still inside. */
export function resolveInRoot(root: string, urlPath: string): { path: string; stat: Stats } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split('/').some((part) => part === '..')) return null;
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(`${realRoot}/${decoded.replace(/^\/+/, '')}`);
    if (!real.startsWith(realRoot + sep)) return null;
    const stat = statSync(real);
    return stat.isFile() ? { path: real, stat } : null;
  } catch {
    return null;
  }
}

export function createNetbootHttp(options: NetbootHttpOptions): Server {
  const now = options.now ?? (() => new Date());
  const log = (file: string, entry: Record<string, unknown>) => {
    try {
      // Any lab host can make requests: a log past its cap is moved aside (one old copy), so it never fills the disk.
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > logCap) renameSync(file, `${file}.1`);
      appendFileSync(file, `${JSON.stringify({ at: now().toISOString(), ...entry })}\n`);
    } catch {
      // A full disk loses a log line, never a boot.
    }
  };
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const started = Date.now();
    const ip = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const url = new URL(request.url ?? '/', 'http://netboot');
    let bytes = 0;
    const finish = (status: number, headers: Record<string, string | number> = {}, body?: string) => {
      response.writeHead(status, { 'cache-control': 'no-store', ...headers });
      response.end(body);
      log(options.accessLog, { ip, method: request.method, path: url.pathname, status, bytes: body ? Buffer.byteLength(body) : 0, ms: Date.now() - started });
    };
    if (url.pathname === '/slipway/booted') {
      const m = (url.searchParams.get('mac') ?? '').toLowerCase().replaceAll('-', ':');
      const v = url.searchParams.get('version') ?? '';
      if (!mac.test(m) || !version.test(v)) return finish(400, { 'content-type': 'text/plain' }, 'mac and version required\n');
      log(options.bootedLog, { ip, mac: m, version: v });
      return finish(200, { 'content-type': 'text/plain' }, 'ok\n');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return finish(405, { allow: 'GET, HEAD' });
    const file = resolveInRoot(options.root, url.pathname);
    if (!file) return finish(404, { 'content-type': 'text/plain' }, 'not found\n');
    const size = file.stat.size;
    const range = parseRange(request.headers.range, size);
    if (range === 'bad') return finish(416, { 'content-range': `bytes */${size}` });
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    const length = size === 0 ? 0 : end - start + 1;
    response.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': length,
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    const done = (status: number) => log(options.accessLog, { ip, method: request.method, path: url.pathname, status, bytes, size, ms: Date.now() - started });
    if (request.method === 'HEAD' || length === 0) {
      response.end();
      return done(range ? 206 : 200);
    }
    const stream = createReadStream(file.path, { start, end, highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => (bytes += chunk.length));
    stream.on('error', () => response.destroy());
    response.on('close', () => {
      stream.destroy();
      done(bytes === length ? (range ? 206 : 200) : 499);
    });
    stream.pipe(response);
  };
  return createServer((request, response) => {
    try {
      handle(request, response);
    } catch {
      // No request may end the server.
      if (!response.headersSent) response.writeHead(500);
      response.end();
    }
  });
}
