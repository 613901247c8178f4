import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Backend } from '../host/backend.js';
import { openClientSession } from '../host/client-session.js';
import { securityHeaders } from '../security/csp.js';
import { readStaticFile } from './static-files.js';
import { cookieName, hostAllowed, newToken, originAllowed, readCookie, tokensMatch } from './web-auth.js';

export const defaultPort = 8731;

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

export async function startWebConsole(options: WebConsoleOptions): Promise<WebConsole> {
  const token = options.token ?? newToken();
  const bindHost = options.host ?? '127.0.0.1';
  let port = options.port ?? defaultPort;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });

  const authorised = (req: IncomingMessage, url: URL): boolean =>
    tokensMatch(token, url.searchParams.get('token')) || tokensMatch(token, readCookie(req.headers.cookie, cookieName(port)));

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!hostAllowed(req.headers.host, port)) return refuse(res, 403, 'Unknown Host header: open the console by its loopback address.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
    if (!authorised(req, url)) {
      return refuse(res, 401, 'This console needs its token: open the URL that <code>slipway start</code> printed.');
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a cookie, so it leaves the address bar and history.
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...securityHeaders,
        'Set-Cookie': `${cookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + url.search + url.hash,
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    if (url.pathname === '/api/session') {
      // Lets a page whose socket dropped tell "backend down" from "token no longer valid".
      res.writeHead(204, { ...securityHeaders, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    const file = url.pathname.startsWith('/api/') ? null : await readStaticFile(options.rendererDir, url.pathname);
    if (!file) return refuse(res, 404, 'Not found.');
    res.writeHead(200, { ...securityHeaders, 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => refuse(res, 500, 'Internal error.'));
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== '/api/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(req.headers.host, port)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!originAllowed(req.headers.origin, req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!authorised(req, url)) return refuseUpgrade(socket, 401, 'Unauthorized');
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const session = openClientSession(options.backend, (frame) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
      });
      ws.on('message', (data) => {
        try {
          session.receive(JSON.parse(data.toString()));
        } catch {
          // not JSON: ignored like any other malformed frame
        }
      });
      ws.on('close', () => session.close());
    });
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
