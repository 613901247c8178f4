import { describe, expect, it } from 'vitest';
import { hostAllowed, newToken, originAllowed, readCookie, tokensMatch } from './web-auth.js';

describe('web console auth', () => {
  it('makes long random tokens', () => {
    const a = newToken();
    expect(a).toMatch(/^[\w-]{32}$/);
    expect(newToken()).not.toBe(a);
  });

  it('compares tokens whatever their length', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abc', 'abcd')).toBe(false);
    expect(tokensMatch('abc', '')).toBe(false);
    expect(tokensMatch('abc', null)).toBe(false);
  });

  it.each([
    ['127.0.0.1:8731', true],
    ['localhost:8731', true],
    ['[::1]:8731', true],
    ['10.1.2.3:8731', true],
    ['127.0.0.1:9999', false],
    ['evil.example:8731', false],
    ['127.0.0.1.nip.io:8731', false],
    ['127.0.0.1', false],
    [undefined, false],
  ])('Host %s allowed: %s', (host, allowed) => {
    expect(hostAllowed(host, 8731)).toBe(allowed);
  });

  it('allows only our own Origin, or none (non-browser clients)', () => {
    expect(originAllowed('http://127.0.0.1:8731', '127.0.0.1:8731')).toBe(true);
    expect(originAllowed(undefined, '127.0.0.1:8731')).toBe(true);
    expect(originAllowed('http://evil.example', '127.0.0.1:8731')).toBe(false);
    expect(originAllowed('http://localhost:8731', '127.0.0.1:8731')).toBe(false);
    expect(originAllowed('null', '127.0.0.1:8731')).toBe(false);
  });

  it('reads one cookie among several', () => {
    expect(readCookie('a=1; slipway_8731=tok%3D; b=2', 'slipway_8731')).toBe('tok=');
    expect(readCookie('slipway_1=x', 'slipway_8731')).toBeNull();
    expect(readCookie(undefined, 'x')).toBeNull();
  });
});
