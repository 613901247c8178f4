import { describe, expect, it, vi } from 'vitest';
import { mockScenarios } from '../mock/mock-scenarios.js';
import { parseBuildArgs, parseStartArgs } from './args.js';
import { UsageError } from './errors.js';

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

describe('slipway build --host', () => {
  it('takes a node name or any', () => {
    expect(parseBuildArgs(['spec.yaml', '--host', 'rack1-n03']).host).toBe('rack1-n03');
    expect(parseBuildArgs(['spec.yaml', '--host', 'any']).host).toBe('any');
  });

  it('refuses what no inventory node can be called, as a usage error that does not echo it', () => {
    for (const host of ['-n03', '../etc', 'a b', 'n;reboot', 'x'.repeat(64), 'n\u202e03']) {
      let caught: unknown;
      try {
        parseBuildArgs(['spec.yaml', `--host=${host}`]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UsageError);
      expect((caught as Error).message).toMatch(/--host takes a node name/);
      expect((caught as Error).message).not.toContain(host);
    }
  });
});
