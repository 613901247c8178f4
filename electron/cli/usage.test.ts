import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SlipwayError } from '../../shared/contract/index.js';
import { bashCompletion } from './completion.js';
import { describeError, errorReport, Refusal, usageMessage } from './errors.js';
import { commandUsage, commands, fullUsage, isCommand, type CommandSpec } from './usage.js';

describe('the command table', () => {
  it.each(Object.entries(commands as Record<string, CommandSpec>))('%s: its usage names every verb and option its runner accepts', (name, spec) => {
    expect(spec.usage).toMatch(new RegExp(`^ {2}slipway ${name}\\b`));
    const synopses = spec.usage.split('\n').filter((line) => line.startsWith(`  slipway ${name} `));
    for (const verb of spec.verbs) expect(synopses.some((line) => new RegExp(`[ |]${verb}\\b`).test(line)), verb).toBe(true);
    for (const [option, config] of Object.entries(spec.options)) {
      expect(spec.usage, option).toContain(`--${option}`);
      if (config.short) expect(spec.usage, `-${config.short}`).toMatch(new RegExp(`-${config.short}\\b`));
    }
  });

  it('the full usage is every section in order, each section alone is one command', () => {
    const full = fullUsage();
    let at = 0;
    for (const spec of Object.values(commands)) {
      const found = full.indexOf(spec.usage, at);
      expect(found).toBeGreaterThan(at - 1);
      at = found + spec.usage.length;
    }
    expect(commandUsage('doctor')).toBe(`usage:\n${commands.doctor.usage}`);
    expect(isCommand('build')).toBe(true);
    expect(isCommand('toString')).toBe(false);
  });

  it('the completion script holds every command, verb and option of the table', () => {
    const script = bashCompletion();
    for (const [name, spec] of Object.entries(commands)) {
      expect(script).toContain(`      ${name})\n`);
      for (const verb of spec.verbs) expect(script).toContain(verb);
      for (const option of Object.keys(spec.options)) expect(script).toContain(`--${option}`);
    }
  });
});

describe('errors as the operator reads them', () => {
  it('a system error names its path in words, without Node’s code', () => {
    const error = Object.assign(new Error("ENOENT: no such file or directory, open 'spec.yaml'"), { code: 'ENOENT', path: 'spec.yaml', syscall: 'open' });
    expect(describeError(error)).toEqual(['spec.yaml: no such file']);
    expect(describeError(new SlipwayError('failed', "the node inventory cannot be read: ENOTDIR: not a directory, open '/x/nodes.yaml'", 'inventory'))).toEqual([
      'inventory: the node inventory cannot be read: /x/nodes.yaml: a part of the path is not a directory',
    ]);
  });

  it('never a stack frame, unless SLIPWAY_DEBUG asks for it', () => {
    const error = new Error('it broke');
    expect(errorReport('slipway', error, {})).toBe('slipway: it broke\n');
    expect(errorReport('slipway', new Error(`first\n    at f (x.js:1:1)\nsecond`), {})).toBe('slipway: first\n  second\n');
    expect(errorReport('slipway', error, { SLIPWAY_DEBUG: '1' })).toMatch(/^slipway: Error: it broke\n\s+at /);
  });

  it('a field is named once; a validation error lists every field; a refusal keeps its lines', () => {
    expect(describeError(new SlipwayError('bad_request', 'name: too long', 'name'))).toEqual(['name: too long']);
    expect(describeError(new SlipwayError('bad_request', 'too long', 'name'))).toEqual(['name: too long']);
    expect(describeError(new SlipwayError('bad_request', '/x/ssh_config: no such file', 'path'))).toEqual(['/x/ssh_config: no such file']);
    const zod = z.object({ a: z.string(), b: z.number() }).safeParse({});
    expect(describeError(zod.error)).toEqual(['a: Invalid input: expected string, received undefined', 'b: Invalid input: expected number, received undefined']);
    expect(errorReport('slipway build', new Refusal(['x.yaml: 2 problems in the spec:', '  a: bad', '  b: bad']), {})).toBe('slipway build: x.yaml: 2 problems in the spec:\n  a: bad\n  b: bad\n');
  });

  it('parseArgs’ advice about -- is left out of a usage error', () => {
    const error = Object.assign(new Error("Unknown option '--x'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--x\""), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
    expect(usageMessage(error)).toBe("Unknown option '--x'");
  });
});
