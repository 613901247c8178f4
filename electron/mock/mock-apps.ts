import { createHash, randomBytes } from 'node:crypto';
import { parseAppText } from '../../shared/apps/app-text.js';
import { SlipwayError, type AppDefinition, type appCommands, type BlacklistEntry, type NodeStatus } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import type { EventBus } from '../backend/event-bus.js';
import { seedDefinitions, seedRun } from './mock-app-definitions.js';
import { selectTargets } from './mock-app-fleet.js';
import { MockAppRun } from './mock-app-run.js';
import { liveNodeClock, virtualNodeClock } from './mock-app-state.js';

/**
 * Remote applications for demos and UI tests: saved definitions, scripted
 * deployments over the mocked lab (mock-app-run.ts for the lifecycle,
 * mock-app-fleet.ts for which node misbehaves, mock-app-definitions.ts for
 * what a definition makes the mocked application do) and the blacklist.
 * Nothing is contacted.
 */

type AppCommand = keyof typeof appCommands;
export type AppHandlers = Pick<Handlers, AppCommand>;

export interface MockAppsOptions {
  bus: EventBus;
  /** The mocked inventory and its last health poll: targets, platforms and who can be logged into. */
  inventory(): Promise<NodeStatus[]>;
  /** Multiplies every scripted pause: 1 is the demo pace (about 10 s a deployment), 0 as fast as it can. */
  speed?: number;
  flushMs?: number;
  /** Between two polls of a running node. */
  pollMs?: number;
}

export interface MockApps {
  handlers: AppHandlers;
  /** Resolves when every node the run has started so far has ended (for tests). */
  settled(id: string): Promise<void>;
  close(): Promise<void>;
}

const resultsRoot = '/var/lib/slipway/state/apps/runs';

function runId(at: number): string {
  return `app-${new Date(at).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
}

function parse(text: string): AppDefinition {
  const result = parseAppText(text);
  if (result.ok) return result.definition;
  const first = result.problems[0]!;
  throw new SlipwayError('bad_request', `${first.field}: ${first.message}`, first.field);
}

export function createMockApps(options: MockAppsOptions): MockApps {
  const { bus } = options;
  const speed = options.speed ?? 1;
  const flushMs = options.flushMs ?? 50;
  const pollMs = options.pollMs ?? 500;
  const definitions = new Map<string, string>();
  const runs = new Map<string, MockAppRun>();
  let blacklist: BlacklistEntry[] = [];

  for (const text of seedDefinitions) definitions.set(parse(text).name, text);

  function find(id: string): MockAppRun {
    const run = runs.get(id);
    if (!run) throw new SlipwayError('bad_request', `no application run ${id}`, 'id');
    return run;
  }

  function makeRun(definition: AppDefinition, at: number, live: boolean): MockAppRun {
    const id = runId(at);
    const run = new MockAppRun({
      id, definition,
      definitionHash: createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16),
      startedAt: at,
      resultsDir: `${resultsRoot}/${id}/results`,
      inventory: options.inventory,
      blacklisted: (node) => blacklist.find((entry) => entry.node === node) ?? null,
      blacklist: (entry) => {
        blacklist = [...blacklist.filter((e) => e.node !== entry.node), entry];
        bus.publish('apps.blacklist', blacklist);
      },
      bus: live ? bus : null,
      clock: live ? liveNodeClock : () => virtualNodeClock(at),
      speed: live ? speed : 1,
      flushMs,
      pollMs,
    });
    runs.set(id, run);
    return run;
  }

  // Replayed at once on virtual clocks; handlers wait for it so the first list is complete.
  const seeded = (async () => {
    const at = Date.now() - seedRun.hoursAgo * 3_600_000;
    await makeRun(parse(seedRun.text), at, false).deploy(seedRun.nodes);
  })();

  async function deploy(text: string, nodes: readonly string[] | undefined): Promise<{ id: string }> {
    await seeded;
    const definition = parse(text);
    const inventory = await options.inventory();
    const targets = selectTargets(definition, inventory.map((s) => s.spec), nodes);
    const run = makeRun(definition, Date.now(), true);
    bus.publish('apps.run', run.summary());
    void run.deploy(targets);
    return { id: run.id };
  }

  const handlers: AppHandlers = {
    'apps.validate': async ({ text }) => {
      const result = parseAppText(text);
      if (!result.ok) return { problems: result.problems, nodes: [] };
      try {
        const inventory = await options.inventory();
        return { problems: [], nodes: selectTargets(result.definition, inventory.map((s) => s.spec)) };
      } catch (error) {
        return { problems: [{ field: (error as SlipwayError).field ?? 'nodes', message: (error as Error).message }], nodes: [] };
      }
    },
    'apps.definitions': async () => [...definitions.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, text]) => ({ name, text })),
    'apps.saveDefinition': async ({ text }) => {
      const { name } = parse(text);
      definitions.set(name, text);
      return { name };
    },
    'apps.deploy': ({ text, nodes }) => deploy(text, nodes),
    'apps.runs': async () => {
      await seeded;
      return [...runs.values()].map((run) => run.summary()).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
    'apps.get': async ({ id }) => {
      await seeded;
      return find(id).detail();
    },
    'apps.stop': async ({ id, nodes }) => ({ stopping: await find(id).stop(nodes) }),
    'apps.retryFailed': async ({ id }) => ({ retrying: find(id).retryFailed() }),
    'apps.traces': async ({ id, node, stream, from, count }) => find(id).traces.page({ node, stream }, from, count),
    'apps.download': async ({ id }) => {
      const run = find(id);
      return { dir: run.summary().resultsDir, ...run.traces.files() };
    },
    'apps.blacklist': async () => [...blacklist],
    'apps.unblacklist': async ({ node }) => {
      const before = blacklist.length;
      blacklist = blacklist.filter((entry) => entry.node !== node);
      const removed = blacklist.length !== before;
      if (removed) bus.publish('apps.blacklist', blacklist);
      return { removed };
    },
  };

  return {
    handlers,
    settled: (id) => find(id).settled(),
    async close() {
      await seeded.catch(() => undefined);
      await Promise.all([...runs.values()].map((run) => run.close()));
    },
  };
}
