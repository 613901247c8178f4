import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { maxRequestFrameBytes } from '../../shared/contract/index.js';
import type { Backend } from '../backend/backend.js';
import { openClientSession } from '../transport/client-session.js';
import { frameText } from '../transport/frame-text.js';
import { securityHeaders } from '../security/csp.js';
import { readStaticFile } from './static-files.js';
import { cookieName, hostAllowed, newToken, originAllowed, readCookie, sessionPath, tokensMatch } from './web-auth.js';
import { defaultPort } from './default-port.js';

export { defaultPort };

export interface WebConsoleOptions {
  backend: Backend;
  rendererDir: string;
  host?: string;
  port?: number;
  /** Fixed token (tests that restart the server); a fresh random one otherwise. */
  token?: string;
}

export interface WebConsole {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const refusedPage = (why: string): string =>
  `<!doctype html><meta charset="utf-8"><title>Slipway: refused</title>` +
  `<body style="font:15px system-ui;margin:3rem"><h1>Slipway refused this request</h1><p>${why}</p></body>`;

function refuse(res: ServerResponse, status: number, why: string): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(refusedPage(why));
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The request target as a URL, or null when it is none (`//[`): a 400, never an exception. */
function targetOf(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://placeholder');
  } catch {
    return null;
  }
}

/** Where a path sends a browser back to: always this origin (`//evil.example/` would be another host). */
export function sameOriginPath(url: URL): string {
  return `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}`;
}

/** One line on stderr for a request the server turned away or could not serve: no request ends the process. */
function note(what: string, error: unknown): void {
  process.stderr.write(`slipway web: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
}

/**
 * Per client: what may wait unsent (a client that does not read) and how many
 * of its requests may be answered at once before reading from it stops.
 */
const maxBufferedBytes = 16 << 20;
const maxRequestsInFlight = 64;

export async function startWebConsole(options: WebConsoleOptions): Promise<WebConsole> {
  const token = options.token ?? newToken();
  const prefix = sessionPath(token);
  /** A same-origin path moved under the session prefix, unless it is there already. */
  const underPrefix = (path: string) => (path.startsWith(prefix) ? path : `${prefix.slice(0, -1)}${path}`);
  /** The path inside the console: the session prefix taken off (clients holding the token may also use the bare path). */
  const inside = (url: URL) => (url.pathname.startsWith(prefix) ? `/${url.pathname.slice(prefix.length)}` : url.pathname);
  const bindHost = options.host ?? '127.0.0.1';
  let port = options.port ?? defaultPort;
  // Any request the contract allows fits in a frame (limits.ts); a larger frame closes that socket with 1009.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxRequestFrameBytes });

  const authorised = (req: IncomingMessage, url: URL): boolean =>
    tokensMatch(token, url.searchParams.get('token')) || tokensMatch(token, readCookie(req.headers.cookie, cookieName(port)));

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = targetOf(req);
    if (!url) return refuse(res, 400, 'Bad request target.');
    if (!hostAllowed(req.headers.host, port)) return refuse(res, 403, 'Unknown Host header: open the console by its loopback address.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
    if (!authorised(req, url)) {
      return refuse(res, 401, 'This console needs its token: open the URL that <code>slipway start</code> printed.');
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a cookie, so it leaves the address bar and history; the cookie goes only to the session's path.
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...securityHeaders,
        'Set-Cookie': `${cookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=${prefix}`,
        Location: underPrefix(sameOriginPath(url)),
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    const path = inside(url);
    if (path === '/api/session') {
      // Lets a page whose socket dropped tell "backend down" from "token no longer valid".
      res.writeHead(204, { ...securityHeaders, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    const file = path.startsWith('/api/') ? null : await readStaticFile(options.rendererDir, path);
    if (!file) return refuse(res, 404, 'Not found.');
    res.writeHead(200, { ...securityHeaders, 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      note(`${req.method} request failed`, error);
      if (!res.headersSent) refuse(res, 500, 'Internal error.');
      else res.destroy();
    });
  });
  // A malformed request line or header: 400 and close, as Node does, said in one line.
  server.on('clientError', (error: Error, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
    if ((error as { code?: string }).code !== 'ECONNRESET') note('bad request', error);
  });

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => note('upgrade socket', error));
    const url = targetOf(req);
    if (!url) return refuseUpgrade(socket, 400, 'Bad Request');
    if (inside(url) !== '/api/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(req.headers.host, port)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!originAllowed(req.headers.origin, req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!authorised(req, url)) return refuseUpgrade(socket, 401, 'Unauthorized');
    sockets.handleUpgrade(req, socket, head, (ws) => {
      let drainTimer: NodeJS.Timeout | null = null;
      // Reading stops while the client has too much unread or too many requests open, and goes on once it has caught up.
      const throttle = () => {
        const full = ws.bufferedAmount > maxBufferedBytes || session.inFlight() >= maxRequestsInFlight;
        if (full && !ws.isPaused) ws.pause();
        if (full && !drainTimer) {
          drainTimer = setInterval(() => {
            if (ws.bufferedAmount > maxBufferedBytes / 2 || session.inFlight() >= maxRequestsInFlight / 2) return;
            clearInterval(drainTimer!);
            drainTimer = null;
            if (ws.isPaused) ws.resume();
          }, 20);
          drainTimer.unref();
        }
      };
      const session = openClientSession(options.backend, (frame) => {
        // An event batch's JSON was written once by the pump, event by event: it is sent as written.
        // Sent as a text message whether it is a string or the pump's UTF-8 bytes.
        if (ws.readyState === ws.OPEN) ws.send(frameText(frame), { binary: false });
        throttle();
      });
      ws.on('message', (data, isBinary) => {
        let frame: unknown;
        try {
          frame = JSON.parse(isBinary ? '' : data.toString());
        } catch {
          return; // not JSON: ignored like any other malformed frame
        }
        try {
          session.receive(frame);
        } catch (error) {
          note('frame', error);
        }
        throttle();
      });
      // An oversized frame (1009) or broken UTF-8 (1007): ws closes that socket; the rest of the console goes on.
      ws.on('error', (error) => note('websocket', error));
      ws.on('close', () => {
        if (drainTimer) clearInterval(drainTimer);
        session.close();
      });
    });
  }
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      onUpgrade(req, socket, head);
    } catch (error) {
      note('upgrade', error);
      refuseUpgrade(socket, 400, 'Bad Request');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
