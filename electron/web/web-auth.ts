import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time, whatever the lengths: both sides are hashed to the same size first. */
export function tokensMatch(expected: string, given: string | null | undefined): boolean {
  if (given === null || given === undefined || given === '') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * The path the console is served under, `/s/<22 characters>/`: the cookie is
 * scoped to it, so the browser sends the token to no other service on this
 * host (cookies ignore ports) unless it knows the path. Derived from the token
 * (not guessable without it), so a console restarted with the same token
 * keeps its pages working.
 */
export function sessionPath(token: string): string {
  return `/s/${createHash('sha256').update(`slipway session path\0${token}`).digest('base64url').slice(0, 22)}/`;
}

export function cookieName(port: number): string {
  // Cookies ignore ports, so two consoles on one host need two names.
  return `slipway_${port}`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A cookie value that is not valid percent-encoding (`%`) is no token, never an error.
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

function splitHost(hostHeader: string): { name: string; port: string } | null {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostHeader);
  if (bracketed) return { name: bracketed[1] ?? '', port: bracketed[2] ?? '80' };
  const parts = hostHeader.split(':');
  if (parts.length > 2) return null;
  return { name: parts[0] ?? '', port: parts[1] ?? '80' };
}

/**
 * DNS rebinding defence: a page on evil.example that re-resolves to 127.0.0.1
 * still sends `Host: evil.example`. Only names that cannot be rebound pass:
 * localhost and IP literals, on the port we listen on.
 */
export function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const host = splitHost(hostHeader.toLowerCase());
  if (!host || host.port !== String(port)) return false;
  return host.name === 'localhost' || isIP(host.name) !== 0;
}

/** A browser always sends Origin on a WebSocket; it must be this console's own. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true; // not a browser (the CLI); the token still applies
  return hostHeader !== undefined && origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`;
}
