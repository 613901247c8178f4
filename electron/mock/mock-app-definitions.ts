import type { AppDefinition } from '../../shared/contract/index.js';

/**
 * The operator's library at start, and how a definition behaves once
 * deployed. The mock reads its scenario from the definition itself, so demos
 * and tests need no other switch:
 *
 * - the application runs about 4 s and prints 40 lines, unless its run
 *   command holds `sleep N` (it then runs N seconds, a line a second: time
 *   to stop it);
 * - `env: { LINES: "N" }` makes it print N lines on stdout (20000 on five
 *   nodes makes the 100,000-line trace);
 * - `env: { EXIT_CODE: "N" }` makes it exit with N;
 * - `env: { IGNORE_TERM: "1" }` makes it ignore SIGTERM: a stop ends it with
 *   KILL after the definition's stop timeout.
 */

export const helloDefinition = `name: hello
description: Says hello from every node, round after round (NEPI's C example).
depends: [libc6]
buildDepends: [gcc, libc6-dev]
sources: [/srv/apps/hello/src]
build: cc -Wall -o hello \${SOURCES}/src/hello.c
install: install -D -m 0755 \${BUILD}/hello \${SOURCES}/bin/hello
run: \${SOURCES}/bin/hello
env: { GREETING: "hello from the lab" }
nodes: [rack1-n01, rack1-n02, rack1-n03, rack2-n01, rack2-n02]
labels: [gpu]
`;

export const seedDefinitions: readonly string[] = [helloDefinition];

/** Yesterday's run of hello on rack 1, finished everywhere: the run list is not empty. */
export const seedRun = { text: helloDefinition, nodes: ['rack1-n01', 'rack1-n02', 'rack1-n03'], hoursAgo: 20 };

export interface AppBehaviour {
  runMs: number;
  lines: number;
  exitCode: number;
  ignoreTerm: boolean;
}

const count = (value: string | undefined): number | null => {
  const parsed = Number.parseInt(value ?? '', 10);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : null;
};

export function behaviourOf(definition: AppDefinition): AppBehaviour {
  const sleep = /\bsleep\s+(\d+)/.exec(definition.run);
  const seconds = sleep ? Number(sleep[1]) : null;
  return {
    runMs: seconds === null ? 4_000 : seconds * 1_000,
    lines: count(definition.env.LINES) ?? seconds ?? 40,
    exitCode: count(definition.env.EXIT_CODE) ?? 0,
    ignoreTerm: definition.env.IGNORE_TERM !== undefined && definition.env.IGNORE_TERM !== '' && definition.env.IGNORE_TERM !== '0',
  };
}
