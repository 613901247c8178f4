import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppRunDetail, BlacklistEntry, type AppDefinition, type TraceStream } from '../../shared/contract/apps.js';
import { SlipwayError, type NodeSpec } from '../../shared/contract/index.js';
import { parseAppText } from '../../shared/apps/app-text.js';
import type { EventBus } from '../backend/event-bus.js';
import type { Runner } from '../process/runner.js';
import { sshAppNode, type AppNodeAccess } from './app-node-steps.js';
import { AppRun, type RunFiles } from './app-run.js';
import { selectNodes } from './node-selection.js';
import { AppReservations } from './app-reservations.js';
import { packSources } from './pack-sources.js';
import { traceStreams } from './trace-store.js';

export interface AppServiceDeps {
  bus: EventBus;
  run: Runner;
  /** Runs, results and the blacklist. */
  stateDir: string;
  /** Saved definitions, one YAML file each. */
  definitionsDir: string;
  nodes: { specs(): NodeSpec[]; access(name: string): AppNodeAccess };
  pollMs: number;
}

function writeAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

export function createAppService(deps: AppServiceDeps) {
  const runsDir = join(deps.stateDir, 'runs');
  const blacklistFile = join(deps.stateDir, 'blacklist.json');
  const runs = new Map<string, AppRun>();
  const saveTimers = new Map<string, NodeJS.Timeout>();
  let blacklist: BlacklistEntry[] = [];
  try {
    blacklist = BlacklistEntry.array().parse(JSON.parse(readFileSync(blacklistFile, 'utf8')));
  } catch {
    blacklist = [];
  }

  const reservations = new AppReservations(() => runs.values());

  const save = (run: AppRun) => writeAtomic(join(runsDir, `${run.id}.json`), JSON.stringify({ detail: run.detail(), files: run.files, startedAt: run.startedAt }));
  const saveSoon = (run: AppRun) => {
    if (saveTimers.has(run.id)) return;
    saveTimers.set(run.id, setTimeout(() => {
      saveTimers.delete(run.id);
      save(run);
    }, 200));
  };
  const publishBlacklist = () => {
    writeAtomic(blacklistFile, JSON.stringify(blacklist, null, 2));
    deps.bus.publish('apps.blacklist', blacklist);
  };

  function makeRun(id: string, definition: AppDefinition, files: RunFiles, startedAt: string, restored?: AppRunDetail): AppRun {
    const hash = createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16);
    const run: AppRun = new AppRun(id, definition, hash, startedAt, files, {
      node: (name) => sshAppNode(deps.nodes.access(name), definition),
      blacklisted: (node) => blacklist.find((entry) => entry.node === node) ?? null,
      blacklist: (entry) => {
        blacklist = [...blacklist.filter((e) => e.node !== entry.node), entry];
        publishBlacklist();
      },
      changed: (r, state) => {
        deps.bus.publish('apps.node', { id: r.id, state });
        deps.bus.publish('apps.run', r.summary());
        saveSoon(r);
      },
      traced: (r, lines) => deps.bus.publish('apps.trace', { id: r.id, lines }),
      spread: (r, edge) => deps.bus.publish('apps.buildTree', { id: r.id, edge }),
      pollMs: deps.pollMs,
    }, restored);
    runs.set(id, run);
    return run;
  }

  function find(id: string): AppRun {
    const run = runs.get(id);
    if (!run) throw new SlipwayError('bad_request', `no application run ${id}`, 'id');
    return run;
  }

  function parse(text: string): AppDefinition {
    const result = parseAppText(text);
    if (!result.ok) {
      const first = result.problems[0]!;
      throw new SlipwayError('bad_request', `${first.field}: ${first.message}`, first.field);
    }
    return result.definition;
  }

  const service = {
    validate(text: string) {
      const result = parseAppText(text);
      if (!result.ok) return { problems: result.problems, nodes: [] };
      try {
        return { problems: [], nodes: selectNodes(result.definition, deps.nodes.specs()) };
      } catch (error) {
        return { problems: [{ field: (error as SlipwayError).field ?? 'nodes', message: (error as Error).message }], nodes: [] };
      }
    },

    definitions(): { name: string; text: string }[] {
      if (!existsSync(deps.definitionsDir)) return [];
      return readdirSync(deps.definitionsDir)
        .filter((name) => name.endsWith('.yaml'))
        .sort()
        .map((name) => ({ name: name.replace(/\.yaml$/, ''), text: readFileSync(join(deps.definitionsDir, name), 'utf8') }));
    },

    saveDefinition(text: string): { name: string } {
      const definition = parse(text);
      writeAtomic(join(deps.definitionsDir, `${definition.name}.yaml`), text);
      return { name: definition.name };
    },

    /** Checks the definition and the nodes, packs the sources, then deploys in the background. */
    async deploy(text: string, nodes?: readonly string[]): Promise<{ id: string; done: Promise<void> }> {
      const definition = parse(text);
      const targets = selectNodes(definition, deps.nodes.specs(), nodes);
      const id = `app-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
      // Taken before the first await: a second press of Deploy arrives while the sources are still packing.
      const release = reservations.reserve(definition.name, targets, id);
      try {
        const files = await packSources(deps.run, definition, join(runsDir, id));
        const run = makeRun(id, definition, files, new Date().toISOString());
        save(run);
        deps.bus.publish('apps.run', run.summary());
        return { id, done: run.deploy(targets).then(() => save(run)).finally(release) };
      } catch (error) {
        release();
        throw error;
      }
    },

    runs: () => [...runs.values()].map((run) => run.summary()).sort((a, b) => b.startedAt.localeCompare(a.startedAt)),
    get: (id: string) => find(id).detail(),
    run: find,

    async stop(id: string, nodes?: readonly string[]) {
      const run = find(id);
      const stopping = await run.stop(nodes);
      save(run);
      return stopping;
    },

    retryFailed(id: string) {
      return find(id).retryFailed();
    },

    traces(id: string, filter: { node?: string; stream?: TraceStream }, from: number, count: number) {
      return find(id).traces.page(filter, from, count);
    },

    /** Everything the nodes still have, into the run's results folder; returns what the folder holds. */
    async download(id: string) {
      const run = find(id);
      await run.collect();
      let files = 0;
      let bytes = 0;
      const dir = run.files.resultsDir;
      if (existsSync(dir)) {
        for (const node of readdirSync(dir)) {
          for (const stream of traceStreams) {
            const file = join(dir, node, stream);
            if (!existsSync(file)) continue;
            files += 1;
            bytes += statSync(file).size;
          }
        }
      }
      return { dir, files, bytes };
    },

    blacklist: () => [...blacklist],
    unblacklist(node: string): boolean {
      const before = blacklist.length;
      blacklist = blacklist.filter((entry) => entry.node !== node);
      if (blacklist.length !== before) publishBlacklist();
      return blacklist.length !== before;
    },

    /** Runs found on disk: their running nodes are polled again, their traces resume. */
    start(): void {
      service.load(true);
    },

    /**
     * Reads the runs on disk. Only the console takes them over (`resume`):
     * a CLI that looks at a run another Slipway is driving must not declare
     * its steps interrupted.
     */
    load(resume: boolean): void {
      if (!existsSync(runsDir)) return;
      for (const name of readdirSync(runsDir).filter((n) => n.endsWith('.json'))) {
        try {
          const saved = JSON.parse(readFileSync(join(runsDir, name), 'utf8')) as { detail: unknown; files: RunFiles; startedAt: string };
          const detail = AppRunDetail.parse(saved.detail);
          if (runs.has(detail.summary.id)) continue;
          const run = makeRun(detail.summary.id, detail.definition, saved.files, saved.startedAt, detail);
          if (resume) run.resume();
        } catch (error) {
          process.stderr.write(`slipway: skipped the application run in ${name}: ${(error as Error).message}\n`);
        }
      }
    },

    /** `save: false` for a reader (the CLI's status and traces): what it saw is not written back. */
    close(options: { save?: boolean } = {}): void {
      for (const timer of saveTimers.values()) clearTimeout(timer);
      saveTimers.clear();
      for (const run of runs.values()) {
        run.close();
        if (options.save !== false) save(run);
      }
    },
  };
  return service;
}

export type AppService = ReturnType<typeof createAppService>;
