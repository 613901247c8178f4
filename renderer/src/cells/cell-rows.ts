import { CellAppState, type CellApp, type CellDelta, type CellProblem, type CellServer, type CellSnapshot } from '../../../shared/contract/cells.js';

/**
 * A cell's rows as the renderer holds them: keyed maps changed in place by
 * each delta, and a `version` bumped with every change. 50,000 apps copied
 * into a new map per delta would cost more than the delta; derived lists are
 * recomputed only when the version moves (see `lastByVersion`).
 */
export interface CellRows {
  apps: Map<string, CellApp>;
  servers: Map<string, CellServer>;
  problems: Map<string, CellProblem>;
  version: number;
}

export const emptyCellRows = (): CellRows => ({ apps: new Map(), servers: new Map(), problems: new Map(), version: 0 });

/** A snapshot replaces everything held. */
export function rowsOfSnapshot(snapshot: Pick<CellSnapshot, 'apps' | 'servers' | 'problems'>, version: number): CellRows {
  return {
    apps: new Map(snapshot.apps.map((app) => [app.instance, app])),
    servers: new Map(snapshot.servers.map((server) => [server.host, server])),
    problems: new Map(snapshot.problems.map((problem) => [problem.path, problem])),
    version,
  };
}

/** Applies one delta in place; the caller hands the store a new `CellRows` object with the next version. */
export function applyCellDelta(rows: CellRows, delta: Pick<CellDelta, 'apps' | 'servers' | 'problems'>): void {
  for (const instance of delta.apps.removed) rows.apps.delete(instance);
  for (const app of delta.apps.upserted) rows.apps.set(app.instance, app);
  for (const host of delta.servers.removed) rows.servers.delete(host);
  for (const server of delta.servers.upserted) rows.servers.set(server.host, server);
  for (const path of delta.problems.removed) rows.problems.delete(path);
  for (const problem of delta.problems.upserted) rows.problems.set(problem.path, problem);
}

export const cellAppStates: readonly CellAppState[] = CellAppState.options;
export type CellStateCounts = Record<CellAppState, number>;

export interface CellAppFilter {
  state: CellAppState | null;
  proid: string | null;
  server: string | null;
  partition: string | null;
  /** Words that must all appear in the instance name. */
  text: string;
}
export const noCellAppFilter: CellAppFilter = { state: null, proid: null, server: null, partition: null, text: '' };

export type CellSortKey = 'instance' | 'proid' | 'state' | 'server' | 'when';
export interface CellSort {
  key: CellSortKey;
  dir: 'asc' | 'desc';
}
export const defaultCellSort: CellSort = { key: 'instance', dir: 'asc' };

/** The apps every filter but the state one keeps, and how many of each state among them (the counts at the top). */
export function filterApps(apps: Iterable<CellApp>, servers: ReadonlyMap<string, CellServer>, filter: CellAppFilter): { kept: CellApp[]; counts: CellStateCounts } {
  const counts = Object.fromEntries(cellAppStates.map((state) => [state, 0])) as CellStateCounts;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const kept: CellApp[] = [];
  for (const app of apps) {
    if (filter.proid !== null && app.proid !== filter.proid) continue;
    if (filter.server !== null && app.server !== filter.server) continue;
    if (filter.partition !== null && (app.server === null || servers.get(app.server)?.partition !== filter.partition)) continue;
    if (words.length > 0) {
      const name = app.instance.toLowerCase();
      if (!words.every((word) => name.includes(word))) continue;
    }
    counts[app.state] += 1;
    if (filter.state === null || app.state === filter.state) kept.push(app);
  }
  return { kept, counts };
}

const stateRank = new Map(cellAppStates.map((state, i) => [state, i]));

/**
 * Sorted by the key, ties by instance name. Plain `<` on strings, not a
 * collator: Treadmill's instance numbers are zero-padded to ten digits, so
 * code-point order is their order, and 50,000 collator calls per sort would
 * be most of a frame's budget several times over.
 */
export function sortApps(apps: CellApp[], sort: CellSort): CellApp[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const byName = (a: CellApp, b: CellApp) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0);
  const text = (key: 'proid' | 'server') => (a: CellApp, b: CellApp) => {
    const x = a[key] ?? '\uffff';
    const y = b[key] ?? '\uffff';
    return sign * (x < y ? -1 : x > y ? 1 : 0) || byName(a, b);
  };
  const compare: Record<CellSortKey, (a: CellApp, b: CellApp) => number> = {
    instance: (a, b) => sign * byName(a, b),
    proid: text('proid'),
    server: text('server'),
    state: (a, b) => sign * ((stateRank.get(a.state) ?? 0) - (stateRank.get(b.state) ?? 0)) || byName(a, b),
    // Newest first reads as "descending"; apps without a time (not ended) after those with one.
    when: (a, b) => sign * ((a.when ?? Number.POSITIVE_INFINITY) - (b.when ?? Number.POSITIVE_INFINITY) || 0) || byName(a, b),
  };
  return apps.sort(compare[sort.key]);
}

/** Server hosts in natural order: cell-r02-n10 after cell-r02-n9. */
const collator = new Intl.Collator('en', { numeric: true });
export function sortServers(servers: Iterable<CellServer>): CellServer[] {
  return [...servers].sort((a, b) => collator.compare(a.host, b.host));
}

/** The distinct values of a field across rows, sorted, for a filter's choices. */
export function distinct<T>(rows: Iterable<T>, pick: (row: T) => string | null): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    const value = pick(row);
    if (value !== null) seen.add(value);
  }
  return [...seen].sort((a, b) => collator.compare(a, b));
}

/** What an ended app's exit says: "rc 1", "signal 9", or Treadmill's raw data. */
export function exitText(app: CellApp): string {
  if (app.exit === null) return '';
  if (typeof app.exit === 'string') return app.exit;
  return app.exit.rc > 255 ? `signal ${app.exit.signal}` : `rc ${app.exit.rc}`;
}
