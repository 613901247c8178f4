import type { StreamExec, StreamHandlers } from '../lib/line-stream.js';
import { addEvent, emptyBatch, parseWatchLine, type WatchBatch } from './container-watch-events.js';
import { syncScript, watchScript } from './container-watch-script.js';

export interface NodeWatchDeps {
  root: string;
  /** A short command on the node (the sync of flush()). */
  exec(command: string): Promise<unknown>;
  /** A command kept running on the node, read line by line (NodePool.openStream). */
  open(command: string, handlers: StreamHandlers): Promise<StreamExec>;
  /** Events came (after `debounceMs` of quiet, or `maxWaitMs` of a steady flow): the batch is ready to take. */
  changed(): void;
  /** The watcher ended, or could not start: the node is read by shell rescans, and this says why. */
  lost(reason: string): void;
  debounceMs?: number;
  maxWaitMs?: number;
}

/**
 * One node root watched by inotifywait on a streaming channel
 * (container-watch-script.ts): its events gathered into a batch of folders
 * to rescan. A container directory made after the watcher started is not
 * watched: the watcher is started again (the new one lists every directory)
 * and the old one closed once the new one's watches are set, so no event
 * falls between them; the new containers are named again then, for what
 * happened in them before their watch.
 */
export class NodeWatch {
  private batch = emptyBatch();
  private current: StreamExec | null = null;
  /** The running watcher's private folder (container-watch-script.ts syncScript), and the syncs asked and seen. */
  private sync: { folder: string; asked: number; seen: number; waiters: { n: number; done: (ok: boolean) => void }[] } | null = null;
  private restarting: Promise<void> | null = null;
  private quietTimer: NodeJS.Timeout | null = null;
  private firstAt = 0;
  private closed = false;
  /** Containers named by events whose directories the running watcher does not watch. */
  private readonly unwatched = new Set<string>();
  /** Set once a watcher's watches are all in place, until it is lost. */
  watching = false;
  /** Watchers whose watches were set: the first, then one per restart (new containers, moved folders). */
  started = 0;
  /** Why the node is not watched (null while it is, or before a first try). */
  reason: string | null = null;

  constructor(private readonly deps: NodeWatchDeps) {}

  /** The events gathered since the last take. */
  take(): WatchBatch {
    const batch = this.batch;
    this.batch = emptyBatch();
    return batch;
  }

  /** A watcher started and its watches set (true), or why it could not be (false; `reason` says it). */
  async start(): Promise<boolean> {
    const stream = await this.open();
    if (!stream) return false;
    this.use(stream);
    this.watching = true;
    this.reason = null;
    return true;
  }

  private use(stream: StreamExec & { folder: string }): void {
    this.current = stream;
    this.started += 1;
    for (const waiter of this.sync?.waiters ?? []) waiter.done(false);
    this.sync = { folder: stream.folder, asked: 0, seen: 0, waiters: [] };
  }

  private synced(folder: string, n: number): void {
    const sync = this.sync;
    if (!sync || sync.folder !== folder || !(n > sync.seen)) return;
    sync.seen = n;
    sync.waiters = sync.waiters.filter((waiter) => (waiter.n <= n ? (waiter.done(true), false) : true));
  }

  /**
   * Every event of what happened on the node before this call has been
   * gathered (true), or the watcher did not answer within `timeoutMs` and is
   * given up (false: read the node by a shell rescan). A caller that asked for
   * the node as it is now (a list, the rescan after an action) waits for this.
   */
  async flush(timeoutMs = 5_000): Promise<boolean> {
    const sync = this.sync;
    if (!sync || !this.watching) return false;
    const n = ++sync.asked;
    let done: (ok: boolean) => void = () => undefined;
    const seen = new Promise<boolean>((resolve) => (done = resolve));
    sync.waiters.push({ n, done });
    const timer = setTimeout(() => done(false), timeoutMs);
    try {
      await this.deps.exec(syncScript(sync.folder, n));
    } catch {
      done(false);
    }
    const ok = await seen;
    clearTimeout(timer);
    if (!ok && this.sync === sync && this.watching) {
      const stream = this.current;
      this.current = null;
      stream?.close();
      this.lose('the watcher did not answer a sync in time');
    }
    return ok;
  }

  /**
   * One watcher opened, tried again (up to 3 times) when a folder it was to
   * watch went before its watch was set: inotifywait gives up on any folder
   * it cannot watch, and containers are removed while it starts.
   */
  private async open(): Promise<(StreamExec & { folder: string }) | null> {
    for (let attempt = 1; ; attempt++) {
      const stream = await this.openOnce();
      if (stream || attempt >= 3 || this.closed || !/No such file or directory/.test(this.reason ?? '')) return stream;
    }
  }

  /** One watcher opened; resolves with it once its watches are set, or null (reason kept) when it ended before. */
  private async openOnce(): Promise<(StreamExec & { folder: string }) | null> {
    let ready: (ok: boolean) => void = () => undefined;
    const established = new Promise<boolean>((resolve) => (ready = resolve));
    let said: string | null = null;
    let stream: StreamExec | null = null;
    let folder = '';
    let set = false;
    // The two come on two streams, in either order: ready once both are here.
    const both = () => folder !== '' && set && ready(true);
    const handlers: StreamHandlers = {
      line: (text) => {
        const line = parseWatchLine(text);
        if (line.kind === 'event') {
          if (folder && line.path.startsWith(`${folder}/`)) this.synced(folder, Number(line.path.slice(folder.length + 1)));
          else this.add(line.events, line.path);
        } else if (line.kind === 'started') {
          folder = line.sync;
          both();
        }
        else if (line.kind === 'unavailable') said = line.reason;
        // Its exit first, then what it (or the shell, for a signal) said on stderr.
        else if (line.kind === 'ended') said = `inotifywait ended (exit ${line.code})${said ? `: ${said}` : ''}`;
      },
      errorLine: (text) => {
        if (text === 'Watches established.') {
          set = true;
          both();
        }
        // inotifywait's own words for a watch it could not set: the limit (fs.inotify.max_user_watches), a folder gone.
        else if (text !== 'Setting up watches.' && text.trim() !== '') said = said ?? text.trim();
      },
      closed: () => {
        ready(false);
        if (stream && stream === this.current) this.lose(said ?? 'the watcher’s channel ended');
      },
    };
    try {
      stream = await this.deps.open(watchScript(this.deps.root), handlers);
    } catch (error) {
      this.reason = `could not start the watcher: ${(error as Error).message}`;
      return null;
    }
    if (this.closed) stream.close();
    if (!(await established) || this.closed || !folder) {
      stream.close();
      this.reason = said ?? 'the watcher ended before its watches were set';
      return null;
    }
    return Object.assign(stream, { folder });
  }

  private lose(reason: string): void {
    this.watching = false;
    this.current = null;
    this.reason = reason;
    if (!this.closed) this.deps.lost(reason);
  }

  private add(events: readonly string[], path: string): void {
    const full = this.batch.full;
    addEvent(this.batch, events, path);
    const fresh = [...this.batch.unwatched].filter((unique) => !this.unwatched.has(unique));
    for (const unique of this.batch.unwatched) this.unwatched.add(unique);
    this.batch.unwatched.clear();
    // New directories to watch, or the watched folders changed under the watcher: a new one over what is there now.
    if (fresh.length > 0 || (full === null && this.batch.full !== null)) this.rewatch();
    // Debounced: a container's finish writes several files; one rescan reads them all.
    const now = Date.now();
    if (!this.quietTimer) this.firstAt = now;
    else clearTimeout(this.quietTimer);
    const wait = Math.max(0, Math.min(this.deps.debounceMs ?? 30, this.firstAt + (this.deps.maxWaitMs ?? 200) - now));
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (!this.closed) this.deps.changed();
    }, wait);
  }

  /** A new watcher over what the root holds now, the old one closed when the new one is ready (one restart at a time). */
  rewatch(): void {
    if (this.restarting || this.closed || !this.current) return;
    this.restarting = (async () => {
      const covering = [...this.unwatched];
      this.unwatched.clear();
      const stream = await this.open();
      this.restarting = null;
      const old = this.current;
      if (!stream || !this.watching || this.closed) {
        stream?.close();
        // The old watcher does not cover the new directories: events there would be missed, so it is given up.
        if (old === this.current && this.watching) {
          this.current = null;
          old?.close();
          this.lose(this.reason ?? 'the watcher could not be started again');
        }
        return;
      }
      this.use(stream);
      old?.close();
      // What happened in the new containers before their watch is read now.
      for (const unique of covering) this.batch.scopes.add(`apps/${unique}`);
      if (covering.length > 0) this.deps.changed();
      if (this.unwatched.size > 0) this.rewatch();
    })();
  }

  close(): void {
    this.closed = true;
    this.watching = false;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
    const stream = this.current;
    this.current = null;
    stream?.close();
    for (const waiter of this.sync?.waiters ?? []) waiter.done(false);
    this.sync = null;
  }
}
