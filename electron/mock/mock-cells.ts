import type { CellConnection, CellListing, CellSnapshot } from '../../shared/contract/cells.js';
import { SlipwayError } from '../../shared/contract/errors.js';
import type { ClientContext } from '../backend/client-context.js';
import type { Handlers } from '../backend/backend.js';
import { cellSubscriber, createCellFeed, type CellSink, type CellSource } from '../cells/cell-feed.js';
import { parseZkUrl } from '../cells/zk-url.js';
import { createMockCellModel, type MockCellModel } from './mock-cell-model.js';

/** The live mocked cell (500 servers, 50,000 instances) and one whose ZooKeeper never answers. */
export const mockLiveCell = 'mock-cell';
export const mockUnreachableCell = 'mock-unreachable';

export interface MockCellsOptions {
  seed?: number;
  servers?: number;
  instances?: number;
  /** Between two steps of the live cell (each a handful of changes): 250 ms, a few dozen changes a second. */
  tickMs?: number;
  /** The cell's clock (seconds); a test passes its own to get the same times every run. */
  clock?: () => number;
  /** A cell nobody follows keeps changing this long. */
  graceMs?: number;
  /** Apps changed per tick (8 by default). */
  changesPerTick?: number;
}

/** SLIPWAY_MOCK_CELL_TICK_MS and SLIPWAY_MOCK_CELL_CHANGES: the live cell's pace for benches (bench/ui-cells.mjs). */
export function mockCellPace(env: NodeJS.ProcessEnv = process.env): Pick<MockCellsOptions, 'tickMs' | 'changesPerTick'> {
  const tickMs = Number(env.SLIPWAY_MOCK_CELL_TICK_MS);
  const changes = Number(env.SLIPWAY_MOCK_CELL_CHANGES);
  return {
    ...(Number.isSafeInteger(tickMs) && tickMs >= 50 ? { tickMs } : {}),
    ...(Number.isSafeInteger(changes) && changes > 0 && changes <= 5_000 ? { changesPerTick: changes } : {}),
  };
}

/** A source over the model: changes as the model makes them, one step per tick while someone follows the cell. */
function liveSource(name: string, model: MockCellModel, sink: CellSink, options: { tickMs: number; clock: () => number; since: number }): CellSource {
  let timer: NodeJS.Timeout | null = null;
  const connection: CellConnection = { state: 'connected', since: options.since, lastGoodRead: options.since, stale: false, error: null };
  return {
    start() {
      timer = setInterval(() => sink.changed(model.tick(options.clock())), options.tickMs);
      timer.unref();
    },
    snapshot: (): CellSnapshot => ({ cell: name, seq: 1, connection, ...model.rows() }),
    trace: (instance) => model.trace(instance),
    ready: async () => undefined,
    connection: () => connection,
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** As the real reader says it when no session comes: unreachable, the error, still trying; no rows, nothing stale. */
function unreachableSource(name: string, url: string, since: number): CellSource {
  const hosts = parseZkUrl(url).hosts.map(({ host, port }) => `${host}:${port}`).join(',');
  const error = `no ZooKeeper session with ${hosts} after 5000 ms; still trying`;
  const connection: CellConnection = { state: 'unreachable', since, lastGoodRead: null, stale: false, error };
  return {
    start: () => undefined,
    snapshot: () => ({ cell: name, seq: 1, connection, servers: [], apps: [], problems: [], traceEvents: 0 }),
    trace: () => [],
    // The real reader would wait for its first read; the mock says why at once rather than make a test wait.
    ready: () => Promise.reject(new Error(error)),
    connection: () => connection,
    close: () => undefined,
  };
}

/**
 * The cells capability of the mocked backend: the same contract and the same
 * feed (cell-feed.ts) as the real one, over a seeded model instead of a
 * ZooKeeper. Cells added here are remembered in memory and read as unreachable
 * (the mocked backend reaches no ZooKeeper).
 */
export function createMockCells(options: MockCellsOptions = {}) {
  const clock = options.clock ?? (() => Date.now() / 1000);
  const started = clock();
  let model: MockCellModel | null = null;
  // 50,000 instances take a moment to make: only when someone first looks at the cell.
  const liveModel = () => (model ??= createMockCellModel({ epoch: started, seed: options.seed ?? 19, servers: options.servers ?? 500, instances: options.instances ?? 50_000, ...(options.changesPerTick === undefined ? {} : { changesPerTick: options.changesPerTick }) }));
  const registry = new Map<string, string>([
    [mockLiveCell, 'zookeeper://zk1.mock.lab:2181,zk2.mock.lab:2181,zk3.mock.lab:2181/treadmill/mock-cell'],
    [mockUnreachableCell, 'zookeeper://zk.unreachable.mock.lab:2181/treadmill/lost'],
  ]);
  const feed = createCellFeed({
    graceMs: options.graceMs ?? 30_000,
    open: (cell, sink) => {
      const url = registry.get(cell);
      if (url === undefined) throw new SlipwayError('bad_request', `no cell "${cell}" (mock cells: ${[...registry.keys()].join(', ')})`);
      if (cell === mockLiveCell) return liveSource(cell, liveModel(), sink, { tickMs: options.tickMs ?? 250, clock, since: started * 1000 });
      return unreachableSource(cell, url, clock() * 1000);
    },
  });

  const handlers: Pick<Handlers, 'cells.list' | 'cells.add' | 'cells.remove' | 'cells.subscribe' | 'cells.unsubscribe' | 'cells.trace'> = {
    'cells.list': async (): Promise<CellListing[]> => [...registry].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, url]) => ({ name, url, ...feed.status(name) })),
    'cells.add': async ({ name, url }) => {
      try {
        parseZkUrl(url);
      } catch (error) {
        throw new SlipwayError('bad_request', (error as Error).message);
      }
      if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)) throw new SlipwayError('bad_request', 'a cell name is 1-63 of a-z, 0-9, _ and -, starting with a letter or digit');
      if (registry.get(name) !== url) feed.forget(name, `cell ${name} now reads ${url}; subscribe again`);
      registry.set(name, url);
      return { name, url };
    },
    'cells.remove': async ({ name }) => {
      feed.forget(name, `cell ${name} was removed`);
      return { removed: registry.delete(name) };
    },
    'cells.subscribe': async ({ cell }, client?: ClientContext) => feed.subscribe(cellSubscriber(client), cell),
    'cells.unsubscribe': async ({ cell }, client?: ClientContext) => ({ unsubscribed: feed.unsubscribe(cellSubscriber(client), cell) }),
    'cells.trace': ({ cell, instance }) => feed.withCell(cell, 5000, (source) => source.trace(instance)),
  };

  return {
    handlers,
    close: () => feed.close(),
    status: (cell: string) => feed.status(cell),
  };
}
