import type { CellListing, CellTraceEvent } from '../../shared/contract/cells.js';
import { SlipwayError } from '../../shared/contract/errors.js';
import type { ClientContext } from '../backend/client-context.js';
import { createCellFeed, noCellChanges, type CellSink, type CellSource } from './cell-feed.js';
import { CellReader, type CellReaderOptions } from './cell-reader.js';
import { addCell, cellsPath, readCells, removeCell, type CellEntry } from './cell-registry.js';
import { parseZkUrl } from './zk-url.js';

export interface CellServiceOptions {
  /** cells.yaml (cellsPath() by default). */
  registryPath?: string;
  /** A cell nobody follows keeps its session this long (30 s by default). */
  graceMs?: number;
  /** How long `trace` waits for a cell nobody follows to be read whole (30 s by default). */
  traceTimeoutMs?: number;
  reader?: Pick<CellReaderOptions, 'sessionTimeoutMs' | 'connectTimeoutMs' | 'inFlight'>;
}

/** A registry or URL error as the operator's mistake, not the backend's. */
function asBadRequest<T>(what: () => T): T {
  try {
    return what();
  } catch (error) {
    if (error instanceof SlipwayError) throw error;
    const message = error instanceof Error && 'issues' in error ? (error as { issues: { message: string }[] }).issues.map((issue) => issue.message).join('; ') : (error as Error).message;
    throw new SlipwayError('bad_request', message);
  }
}

/** A CellReader behind the feed's source interface: its snapshot, its deltas stripped of its own numbering. */
function readerSource(entry: CellEntry, sink: CellSink, options: CellServiceOptions['reader']): CellSource {
  const reader = new CellReader(entry.name, asBadRequest(() => parseZkUrl(entry.url)), {
    ...options,
    // Before the first snapshot the reader sends no delta: "unreachable" at start still reaches the clients.
    onConnection: (connection) => sink.changed({ ...noCellChanges(), connection }),
    onSnapshot: () => sink.snapshot(),
    onDelta: ({ cell: _cell, seq: _seq, ...changes }) => sink.changed(changes),
  });
  return {
    start: () => reader.start(),
    snapshot: () => reader.snapshot(),
    trace: (instance) => reader.trace(instance),
    ready: () => reader.ready(),
    connection: () => reader.connectionState(),
    close: () => reader.close(),
  };
}

/**
 * Treadmill cells for the console: the registry (cells.yaml, as `slipway cell
 * add|ls` keeps it) and, per cell some client follows, one CellReader (one
 * read-only ZooKeeper session) whose snapshot and deltas the feed hands to
 * each subscribed client with its own numbering. Loaded by the backend on the
 * first cells command, so nothing else pays for the ZooKeeper client.
 */
export function createCellService(options: CellServiceOptions = {}) {
  const path = options.registryPath ?? cellsPath();
  const feed = createCellFeed({
    graceMs: options.graceMs ?? 30_000,
    open: (cell, sink) => {
      const entry = readCells(path).find((known) => known.name === cell);
      if (!entry) throw new SlipwayError('bad_request', `no cell "${cell}" in ${path}; add it first (slipway cell add ${cell} zookeeper://host:port/chroot)`);
      return readerSource(entry, sink, options.reader);
    },
  });

  return {
    list(): CellListing[] {
      return asBadRequest(() => readCells(path)).map((entry) => ({ ...entry, ...feed.status(entry.name) }));
    },

    add(name: string, url: string): CellEntry {
      const before = asBadRequest(() => readCells(path)).find((known) => known.name === name);
      const entry = asBadRequest(() => addCell(name, url, path));
      // A cell given a new URL is read again from it: its subscribers are told and subscribe again.
      if (before && before.url !== url) feed.forget(name, `cell ${name} now reads ${url}; subscribe again`);
      return entry;
    },

    remove(name: string): boolean {
      const removed = asBadRequest(() => removeCell(name, path));
      feed.forget(name, `cell ${name} was removed`);
      return removed;
    },

    subscribe: (client: ClientContext, cell: string) => feed.subscribe(client, cell),
    unsubscribe: (client: ClientContext, cell?: string) => feed.unsubscribe(client, cell),

    /** One instance's events; a cell nobody follows is read whole first (its session then stays for the grace period). */
    trace(cell: string, instance: string): Promise<CellTraceEvent[]> {
      return feed.withCell(cell, options.traceTimeoutMs ?? 30_000, (source) => source.trace(instance));
    },

    status: (cell: string) => feed.status(cell),
    openCells: () => feed.openCells(),
    close: () => feed.close(),
  };
}

export type CellService = ReturnType<typeof createCellService>;
