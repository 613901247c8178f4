import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { mockScenarios, type MockScenario } from '../mock/mock-scenarios.js';
import { defaultPort } from '../web/default-port.js';
import { NodeName } from '../../shared/contract/node-name.js';
import { UsageError } from './errors.js';
import { commands } from './usage.js';

export { UsageError };

export interface StartArgs {
  web: boolean;
  mock: boolean;
  scenario: MockScenario;
  host: string;
  port: number;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return defaultPort;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port: "${value}" is not a port number (0–65535; 0 picks a free one)`);
  return port;
}

export function parseStartArgs(argv: string[]): StartArgs {
  const { values } = parseArgs({
    args: argv,
    options: commands.start.options,
    strict: true,
  });
  const scenario = values['mock-scenario'];
  if (!(mockScenarios as readonly string[]).includes(scenario)) {
    throw new UsageError(`--mock-scenario: "${scenario}" is not one of ${mockScenarios.join(', ')}`);
  }
  return { web: values.web, mock: values.mock, scenario: scenario as MockScenario, host: values.host, port: parsePort(values.port) };
}

export function parseDoctorArgs(argv: string[]): { json: boolean; node: string | null } {
  const { values } = parseArgs({ args: argv, options: commands.doctor.options, strict: true });
  if (values.node === '') throw new UsageError('--node needs a node name from the inventory');
  return { json: values.json, node: values.node ?? null };
}

export function parseBuildArgs(argv: string[]): { spec: string | null; json: boolean; cleanup: boolean; verbose: boolean; host: string | null; diff: [string, string] | null; fetch: { id: string; to: string } | null } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: commands.build.options,
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] === 'diff') {
    // A spec file named "diff" is ./diff.
    if (positionals.length !== 3) throw new UsageError('build diff takes two build ids: slipway build diff A B');
    return { spec: null, json: values.json, cleanup: false, verbose: false, host: null, diff: [positionals[1]!, positionals[2]!], fetch: null };
  }
  if (positionals[0] === 'fetch') {
    if (positionals.length !== 2) throw new UsageError('build fetch takes one build id: slipway build fetch ID [--to DIR]');
    if (values.to === '') throw new UsageError('--to needs a folder');
    return { spec: null, json: values.json, cleanup: false, verbose: false, host: null, diff: null, fetch: { id: positionals[1]!, to: resolve(values.to ?? '.') } };
  }
  if (values.to !== undefined) throw new UsageError('--to is for build fetch: slipway build fetch ID --to DIR');
  if (positionals.length > 1) throw new UsageError('build takes one spec file');
  if (!values.cleanup && positionals.length === 0) throw new UsageError('build needs a spec file: slipway build SPEC.yaml (or --cleanup)');
  if (values.host === '') throw new UsageError('--host needs a build host: a node name from the inventory');
  // As the console's contract (builds.start): a node name, not a page of text echoed back.
  if (values.host !== undefined && !NodeName.safeParse(values.host).success) throw new UsageError('--host takes a node name from the inventory (or any): letters, digits, ".", "_" and "-", up to 63 characters');
  if (values.host !== undefined && values.cleanup) throw new UsageError('--cleanup recovers this machine\'s builds; a build host\'s helper releases its own (at the next console start, or after 15 minutes without a console)');
  return { spec: positionals[0] ?? null, json: values.json, cleanup: values.cleanup, verbose: values.verbose, host: values.host ?? null, diff: null, fetch: null };
}
