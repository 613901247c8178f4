import type { StreamExec, StreamHandlers } from '../lib/line-stream.js';
import type { WatchBatch } from './container-watch-events.js';
import { NodeWatch } from './container-watch.js';

/** What a node needs to be watched: a short command and a command kept running, both over its pooled connection. */
export interface WatchAccess {
  exec(command: string): Promise<unknown>;
  openStream(command: string, handlers: StreamHandlers): Promise<StreamExec>;
}

/** How to read a node now: the folders its watcher named (after a sync), or a shell rescan and why not the watcher. */
export type ReadPlan = { via: 'watch'; batch: WatchBatch } | { via: 'shell'; reason: string | undefined; full: boolean; baseline: boolean };

export interface NodeWatchesDeps {
  /** Null where the node cannot hold a streaming channel (the reason is said). */
  access(node: string): WatchAccess | null;
  /** Events came for the node: rescan it now (the scan asks plan() how). */
  rescan(node: string): void;
  /** After a failed start: try again this much later (a node without inotifywait much later). */
  retryMs?: number;
  missingRetryMs?: number;
}

/** Past this many folders named at once, a scoped rescan costs more than a shell rescan. */
const maxScopes = 1_000;

interface Watched {
  root: string;
  watch: NodeWatch;
  /** A shell rescan made after the watches were set: what is held is where events start from. */
  baselined: boolean;
  starting: boolean;
  retryAt: number;
}

/**
 * The watchers of the nodes a console follows, and for each scan the choice
 * between reading what the watcher named and a shell rescan. A watcher
 * starts after a shell rescan of a followed node; the next shell rescan (one
 * made once its watches are set) is the base its events apply to; a lost
 * watcher (ended, overflowed, silent) gives the node back to shell rescans,
 * the reason said with each scan, and is started again later.
 */
export function createNodeWatches(deps: NodeWatchesDeps) {
  const watched = new Map<string, Watched>();

  function plan(node: string, root: string, held: boolean): Promise<ReadPlan> | ReadPlan {
    const entry = watched.get(node);
    if (!entry || entry.root !== root) return { via: 'shell', reason: 'not watched (yet)', full: false, baseline: false };
    if (!entry.watch.watching) return { via: 'shell', reason: entry.watch.reason ?? 'the watcher is starting', full: false, baseline: false };
    if (!entry.baselined || !held) {
      // The shell rescan covers whatever was gathered so far.
      entry.watch.take();
      return { via: 'shell', reason: 'watcher started: one shell rescan to start from', full: false, baseline: true };
    }
    return (async (): Promise<ReadPlan> => {
      // A watcher restarting (new containers) fails the sync asked of the old one: asked once more.
      const ok = (await entry.watch.flush()) || (entry.watch.watching && (await entry.watch.flush()));
      if (!ok) return { via: 'shell', reason: entry.watch.reason ?? 'the watcher did not answer', full: false, baseline: false };
      const batch = entry.watch.take();
      if (batch.full) return { via: 'shell', reason: batch.full, full: true, baseline: true };
      // So many folders at once (a chmod -R over apps/, a mass cleanup): one shell rescan reads them for less.
      if (batch.scopes.size > maxScopes) return { via: 'shell', reason: `${batch.scopes.size} folders changed at once`, full: false, baseline: true };
      return { via: 'watch', batch };
    })();
  }

  /** A shell rescan of a node was made (`ok`: it read the node); `follow`: a console follows the node, so it is worth a watcher. */
  function shellDone(node: string, root: string, read: ReadPlan & { via: 'shell' }, ok: boolean, follow: boolean): void {
    let entry = watched.get(node);
    if (entry && entry.root !== root) {
      entry.watch.close();
      watched.delete(node);
      entry = undefined;
    }
    if (entry && read.baseline && ok && entry.watch.watching) entry.baselined = true;
    if (!follow || !ok) return;
    if (!entry) {
      const access = deps.access(node);
      if (!access) return;
      const watch = new NodeWatch({
        root,
        exec: (command) => access.exec(command),
        open: (command, handlers) => access.openStream(command, handlers),
        changed: () => deps.rescan(node),
        lost: () => {
          entry!.baselined = false;
          entry!.retryAt = Date.now() + (deps.retryMs ?? 60_000);
          deps.rescan(node);
        },
      });
      entry = { root, watch, baselined: false, starting: false, retryAt: 0 };
      watched.set(node, entry);
    }
    if (entry.watch.watching || entry.starting || Date.now() < entry.retryAt) return;
    const starting = entry;
    starting.starting = true;
    starting.baselined = false;
    void starting.watch.start().then((ok) => {
      starting.starting = false;
      if (watched.get(node) !== starting) return starting.watch.close();
      if (ok) return deps.rescan(node);
      const missing = /not installed/.test(starting.watch.reason ?? '');
      starting.retryAt = Date.now() + (missing ? (deps.missingRetryMs ?? 600_000) : (deps.retryMs ?? 60_000));
    });
  }

  return {
    plan,
    shellDone,
    /** A node no longer followed, or gone from the inventory. */
    forget(node: string): void {
      watched.get(node)?.watch.close();
      watched.delete(node);
    },
    nodes: () => [...watched.keys()],
    close(): void {
      for (const entry of watched.values()) entry.watch.close();
      watched.clear();
    },
  };
}

export type NodeWatches = ReturnType<typeof createNodeWatches>;
