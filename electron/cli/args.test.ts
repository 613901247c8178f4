import { describe, expect, it } from 'vitest';
import { parseStartArgs } from './args.js';

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

  it('refuses unknown flags', () => {
    expect(() => parseStartArgs(['--wbe'])).toThrow(/--wbe/);
  });
});
