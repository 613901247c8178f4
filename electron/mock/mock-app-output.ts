import { expandPaths } from '../../shared/apps/app-text.js';
import type { AppDefinition } from '../../shared/contract/index.js';
import { fraction } from './mock-app-fleet.js';

/** What a mocked node prints: the build's log on the node that builds, and the application's stdout and stderr. */

/** The builder's `buildlog`: the command as the build script runs it, then what a compiler says. */
export function buildLog(definition: AppDefinition, home: string): string[] {
  const command = expandPaths(definition.build, home);
  const lines = [`+ cd ${home}/build`, `+ ${command}`];
  if (/\bmake\b/.test(command)) {
    lines.push(`make: Entering directory '${home}/build'`);
    for (let i = 1; i <= 24; i += 1) lines.push(`cc -O2 -Wall -c -o obj/part${String(i).padStart(2, '0')}.o ${home}/src/part${String(i).padStart(2, '0')}.c`);
    lines.push(`cc -o ${definition.name} obj/*.o`, `make: Leaving directory '${home}/build'`);
  } else {
    const source = /\S+\.c\b/.exec(command)?.[0] ?? `${home}/src/main.c`;
    lines.push(
      `${source}: In function 'main':`,
      `${source}:17:13: warning: unused variable 'spare' [-Wunused-variable]`,
      '   17 |         int spare = 0;',
      '      |             ^~~~~',
    );
  }
  lines.push(`+ tar -czf ${home}/build.tar.gz build`, 'build finished: exit code 0');
  return lines;
}

/** The packed build's size: stable per application, so a demo reads the same twice. */
export const buildBytes = (definition: AppDefinition) => 14_000 + Math.round(fraction(`${definition.name}:build`) * 40_000);

export function startLine(definition: AppDefinition, node: string, platform: string, pid: number): string {
  const greeting = definition.env.GREETING ? `: ${definition.env.GREETING}` : '';
  return `${definition.name}[${pid}] started on ${node} (${platform})${greeting}`;
}

/** The i-th (from 0) of `total` lines on stdout, with the time it took, as an experiment reports a round. */
export function roundLine(definition: AppDefinition, node: string, i: number, total: number): string {
  const ms = (2 + 18 * fraction(`${node}:${i}`)).toFixed(1);
  return `${definition.name}: ${node} round ${i + 1} of ${total}: ok in ${ms} ms`;
}

/** Every tenth round answers late: something on stderr to filter for. */
export function lateLine(definition: AppDefinition, i: number): string | null {
  return i % 10 === 9 ? `${definition.name}: warning: round ${i + 1} answered late (over 15 ms)` : null;
}

export const endLine = (definition: AppDefinition, total: number, exitCode: number) => `${definition.name}: ${total} rounds done, exiting with ${exitCode}`;
