import { describe, expect, it } from 'vitest';
import { SlipwayError } from './index.js';
import { parseEvent, parseRequest, parseResponse } from './validate.js';

describe('contract validation', () => {
  it('accepts a known command with a valid payload', () => {
    expect(parseRequest('readiness.check', {})).toEqual({ command: 'readiness.check', payload: {} });
  });

  it('refuses an unknown command by name', () => {
    expect(() => parseRequest('readiness.explode', {})).toThrow(/unknown command "readiness.explode"/);
  });

  it('refuses extra fields and names them', () => {
    try {
      parseRequest('session.hello', { surprise: 1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SlipwayError);
      expect((error as SlipwayError).code).toBe('bad_request');
      expect((error as SlipwayError).message).toMatch(/session.hello/);
    }
  });

  it('names the offending field of a bad response', () => {
    const bad = { backend: 'real', version: '1', hostname: 'h', seq: -1 };
    try {
      parseResponse('session.hello', bad);
      expect.unreachable();
    } catch (error) {
      expect((error as SlipwayError).field).toBe('seq');
    }
  });

  it('types an event by its topic and rejects unknown topics', () => {
    const event = parseEvent({ topic: 'readiness.started', seq: 3, payload: { total: 9 } });
    expect(event.topic).toBe('readiness.started');
    if (event.topic === 'readiness.started') expect(event.payload.total).toBe(9);
    expect(() => parseEvent({ topic: 'nope', seq: 1, payload: {} })).toThrow(/unknown event topic/);
    expect(() => parseEvent({ topic: 'readiness.started', seq: 1, payload: { total: 'nine' } })).toThrow(/total/);
  });
});

describe('container manifest names', () => {
  it('finding 14: a name that starts with - or holds .. is refused', async () => {
    const { ContainerManifest } = await import('./containers.js');
    const manifest = (name: string) => ({ name, proid: 'root', environment: 'dev', cpu: '100%', memory: '64M', disk: '1G', image: '/img', services: [{ name: 'web', command: 'true' }] });
    for (const name of ['-x..y', '-rf', 'a..b', '..']) expect([name, ContainerManifest.safeParse(manifest(name)).success]).toEqual([name, false]);
    for (const name of ['web', 'web.v2', 'my_app-1']) expect([name, ContainerManifest.safeParse(manifest(name)).success]).toEqual([name, true]);
  });
});
