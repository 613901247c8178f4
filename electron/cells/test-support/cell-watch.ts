import type { CellDelta, CellSnapshot } from '../../../shared/contract/cells.js';
import { CellDelta as CellDeltaSchema } from '../../../shared/contract/cells.js';
import { CellReader, type CellReaderOptions } from '../cell-reader.js';
import { parseZkUrl } from '../zk-url.js';

/**
 * A CellReader with everything it sends kept, as a client would receive it:
 * each delta validated against the contract and checked to follow the last
 * one (seq +1), and `until` to wait for a condition on the live state.
 */
export class WatchedCell {
  readonly deltas: CellDelta[] = [];
  readonly reader: CellReader;
  private waiters: (() => void)[] = [];

  constructor(url: string, options: CellReaderOptions = {}) {
    this.reader = new CellReader('test', parseZkUrl(url), {
      sessionTimeoutMs: 4000,
      ...options,
      onDelta: (delta) => {
        const parsed = CellDeltaSchema.parse(delta);
        const last = this.deltas.at(-1)?.seq ?? 1;
        if (parsed.seq !== last + 1) throw new Error(`delta seq ${parsed.seq} after ${last}`);
        this.deltas.push(parsed);
        for (const wake of this.waiters.splice(0)) wake();
      },
    });
  }

  start(): Promise<CellSnapshot> {
    this.reader.start();
    return this.reader.ready();
  }

  close(): void {
    this.reader.close();
  }

  /** Resolves when `check` holds (checked after each delta), with the time it took; rejects after `timeoutMs`. */
  async until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<number> {
    const started = Date.now();
    while (!check()) {
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.summary()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return Date.now() - started;
  }

  /** What the reader last said, for a failure message. */
  summary(): string {
    const snapshot = this.reader.snapshot();
    const deltas = this.deltas.slice(-6).map((delta) => `#${delta.seq}${delta.connection ? ` ${delta.connection.state}` : ''} +${delta.apps.upserted.length}/-${delta.apps.removed.length} apps`);
    return `connection ${JSON.stringify(snapshot.connection)}, problems ${JSON.stringify(snapshot.problems)}, last deltas: ${deltas.join(', ')}`;
  }

  server(host: string) {
    return this.reader.snapshot().servers.find((server) => server.host === host);
  }

  app(instance: string) {
    return this.reader.snapshot().apps.find((app) => app.instance === instance);
  }

  /** The states an app went through, as the deltas told them. */
  appStates(instance: string): string[] {
    return this.deltas.flatMap((delta) => delta.apps.upserted.filter((app) => app.instance === instance).map((app) => app.state));
  }
}
