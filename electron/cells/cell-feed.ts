import type { CellConnection, CellDelta, CellSnapshot, CellStreamEvent, CellTraceEvent } from '../../shared/contract/cells.js';
import { SlipwayError } from '../../shared/contract/errors.js';
import type { ClientContext } from '../backend/client-context.js';

/** What changed in a cell, as its source reports it: a delta without the numbering, which is per client. */
export type CellChanges = Omit<CellDelta, 'cell' | 'seq'>;

export const noCellChanges = (): CellChanges => ({ servers: { upserted: [], removed: [] }, apps: { upserted: [], removed: [] }, events: [], problems: { upserted: [], removed: [] } });

/** How a source tells the feed about its cell. */
export interface CellSink {
  /** The cell was read whole (the first time): every subscriber gets a fresh snapshot. */
  snapshot(): void;
  changed(changes: CellChanges): void;
}

/** One cell being read (a CellReader, or the mocked cell): one per cell, shared by every subscribed client. */
export interface CellSource {
  start(): void;
  snapshot(): CellSnapshot;
  trace(instance: string): CellTraceEvent[];
  /** Resolves once the cell was read whole; rejects when it cannot be read at all (a missing chroot). */
  ready(): Promise<unknown>;
  connection(): CellConnection;
  close(): void;
}

export interface CellFeedOptions {
  /** A source for a cell by name (throws a SlipwayError for a cell that is not known); the feed starts it. */
  open: (cell: string, sink: CellSink) => CellSource;
  /** A cell nobody follows stays read this long (a view switched back and forth keeps its session). */
  graceMs: number;
}

/** A subscription belongs to a connected client: an in-process caller has none to send to. */
export function cellSubscriber(client: ClientContext | undefined): ClientContext {
  if (!client) throw new SlipwayError('bad_request', 'cells.subscribe needs a connected client (a console window or WebSocket)');
  return client;
}

interface Subscription {
  client: ClientContext;
  /** Last number sent to this client for this cell. */
  seq: number;
  off: () => void;
}

interface OpenCell {
  source: CellSource;
  subscriptions: Map<string, Subscription>;
  /** In-process users besides subscribers (a trace asked of a cell nobody follows). */
  holds: number;
  closeTimer: NodeJS.Timeout | null;
}

/**
 * Who follows which cell, and what each was sent. One source per cell
 * whatever the number of clients; per client and cell a sequence number,
 * a snapshot first, then deltas. The same for the real and the mocked
 * backend: each hands over a source; the feed decides what each client gets.
 */
export function createCellFeed(options: CellFeedOptions) {
  const cells = new Map<string, OpenCell>();

  function send(sub: Subscription, payload: (seq: number) => CellStreamEvent): void {
    if (sub.client.gone) return;
    sub.seq += 1;
    sub.client.send('cells.delta', payload(sub.seq));
  }

  const sendSnapshot = (cell: string, sub: Subscription, snapshot: CellSnapshot) => send(sub, (seq) => ({ kind: 'snapshot', ...snapshot, cell, seq }));

  function acquire(cell: string): OpenCell {
    let open = cells.get(cell);
    if (!open) {
      // The sink looks the cell up: a source that reports while starting (its first connection state) finds it there.
      const sink: CellSink = {
        snapshot: () => {
          const current = cells.get(cell);
          if (!current || current.subscriptions.size === 0) return;
          const snapshot = current.source.snapshot();
          for (const sub of current.subscriptions.values()) sendSnapshot(cell, sub, snapshot);
        },
        changed: (changes) => {
          for (const sub of cells.get(cell)?.subscriptions.values() ?? []) send(sub, (seq) => ({ kind: 'delta', cell, seq, ...changes }));
        },
      };
      open = { source: options.open(cell, sink), subscriptions: new Map(), holds: 0, closeTimer: null };
      cells.set(cell, open);
      open.source.start();
    }
    if (open.closeTimer) clearTimeout(open.closeTimer);
    open.closeTimer = null;
    return open;
  }

  /** After the grace period with no subscriber and no hold, the source closes (its session with it). */
  function release(cell: string): void {
    const open = cells.get(cell);
    if (!open || open.subscriptions.size > 0 || open.holds > 0 || open.closeTimer) return;
    open.closeTimer = setTimeout(() => {
      if (cells.get(cell) !== open) return;
      cells.delete(cell);
      open.source.close();
    }, options.graceMs);
    open.closeTimer.unref();
  }

  function drop(cell: string, clientId: string): boolean {
    const open = cells.get(cell);
    const sub = open?.subscriptions.get(clientId);
    if (!open || !sub) return false;
    sub.off();
    open.subscriptions.delete(clientId);
    release(cell);
    return true;
  }

  return {
    /** The client follows `cell` from now on: a snapshot goes at once (again when already following: a gap's refetch). */
    subscribe(client: ClientContext, cell: string): { cell: string; seq: number } {
      const open = acquire(cell);
      let sub = open.subscriptions.get(client.id);
      if (!sub) {
        const created: Subscription = { client, seq: 0, off: () => undefined };
        created.off = client.onGone(() => drop(cell, client.id));
        open.subscriptions.set(client.id, created);
        sub = created;
      }
      sendSnapshot(cell, sub, open.source.snapshot());
      return { cell, seq: sub.seq };
    },

    /** Stops following one cell, or all when none is named; true when the client followed any. */
    unsubscribe(client: ClientContext, cell?: string): boolean {
      const names = cell === undefined ? [...cells.keys()] : [cell];
      return names.map((name) => drop(name, client.id)).some(Boolean);
    },

    /** A cell's source for one in-process use (a trace), read whole first; released after `use`. */
    async withCell<T>(cell: string, timeoutMs: number, use: (source: CellSource) => T): Promise<T> {
      const open = acquire(cell);
      open.holds += 1;
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const connection = open.source.connection();
            reject(new SlipwayError('failed', `cell ${cell}: not read within ${timeoutMs / 1000} s (${connection.error ?? connection.state})`));
          }, timeoutMs);
        });
        await Promise.race([open.source.ready(), timeout]).catch((error: unknown) => {
          throw error instanceof SlipwayError ? error : new SlipwayError('failed', `cell ${cell}: ${error instanceof Error ? error.message : String(error)}`);
        });
        return use(open.source);
      } finally {
        clearTimeout(timer);
        open.holds -= 1;
        release(cell);
      }
    },

    /** The connection of a cell being read and how many clients follow it; null when it is not read. */
    status(cell: string): { connection: CellConnection | null; subscribers: number } {
      const open = cells.get(cell);
      return { connection: open ? open.source.connection() : null, subscribers: open?.subscriptions.size ?? 0 };
    },

    /** The cell is gone (removed from the registry): its subscribers are told, its session closes now. */
    forget(cell: string, why: string): void {
      const open = cells.get(cell);
      if (!open) return;
      cells.delete(cell);
      if (open.closeTimer) clearTimeout(open.closeTimer);
      const was = open.source.connection();
      const connection: CellConnection = { ...was, state: 'closed', since: Date.now(), stale: was.lastGoodRead !== null, error: why };
      for (const sub of open.subscriptions.values()) {
        send(sub, (seq) => ({ kind: 'delta', cell, seq, connection, ...noCellChanges() }));
        sub.off();
      }
      open.source.close();
    },

    /** Cells whose source is open now. */
    openCells(): string[] {
      return [...cells.keys()];
    },

    close(): void {
      for (const [cell, open] of cells) {
        cells.delete(cell);
        if (open.closeTimer) clearTimeout(open.closeTimer);
        for (const sub of open.subscriptions.values()) sub.off();
        open.source.close();
      }
    },
  };
}

export type CellFeed = ReturnType<typeof createCellFeed>;
