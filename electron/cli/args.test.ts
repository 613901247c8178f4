import { describe, expect, it, vi } from 'vitest';
import { mockScenarios } from '../mock/mock-scenarios.js';
import { parseStartArgs } from './args.js';

// Every run of the CLI parses its arguments: that loads neither the mocked backend nor the web server (each fails this file if it is imported).
vi.mock('../mock/mock-backend.js', () => {
  throw new Error('the mocked backend was loaded');
});
vi.mock('../web/web-server.js', () => {
  throw new Error('the web server was loaded');
});
vi.mock('ws', () => {
  throw new Error('ws was loaded');
});

describe('slipway start arguments', () => {
  it('defaults to the loopback web console on the documented port', () => {
    expect(parseStartArgs([])).toEqual({ web: false, mock: false, scenario: 'default', host: '127.0.0.1', port: 8731 });
  });

  it('reads --web --mock --port', () => {
    expect(parseStartArgs(['--web', '--mock', '--port', '0'])).toMatchObject({ web: true, mock: true, port: 0 });
  });

  it.each([['--port', 'http'], ['--port', '70000'], ['--mock-scenario', 'nope']])('refuses %s %s with a clear message', (flag, value) => {
    expect(() => parseStartArgs([flag, value])).toThrow(new RegExp(flag));
  });

  it('accepts each scenario of the mocked backend', () => {
    for (const scenario of mockScenarios) expect(parseStartArgs(['--mock-scenario', scenario]).scenario).toBe(scenario);
  });

  it('refuses unknown flags', () => {
    expect(() => parseStartArgs(['--wbe'])).toThrow(/--wbe/);
  });
});
