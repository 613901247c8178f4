import { SlipwayError } from '../../shared/contract/index.js';
import type { JobHistory } from './job-history.js';
import type { JobLog, StepLogLine } from './job-log.js';

/** What every job's detail has: a summary with an id, its steps, and how long its log is. */
interface JobDetail<Step> {
  summary: { id: string };
  steps: Step[];
  logTotal: number;
}

/** A running job: its detail as it started, its log, and the run once there is one (its steps are the live ones). */
export interface LiveJob<D extends JobDetail<unknown>, S extends string> {
  detail: D;
  log: JobLog<S>;
  run: { steps: D['steps'] } | null;
}

/**
 * The jobs of one kind (builds, deploys): running ones in memory, finished
 * ones in the history on disk; listed newest first, read page by page.
 */
export class JobRegistry<D extends JobDetail<unknown>, S extends string, L extends LiveJob<D, S>> {
  private readonly live = new Map<string, L>();
  private readonly finished: D[];

  constructor(
    private readonly history: JobHistory<D, StepLogLine<S>>,
    /** "build", "deploy": how a refusal names an unknown id. */
    private readonly what: string,
  ) {
    this.finished = history.load();
  }

  /** The detail of a running job as it is now. */
  private current(entry: L): D {
    return { ...entry.detail, steps: entry.run?.steps ?? entry.detail.steps, logTotal: entry.log.lines.length };
  }

  add(entry: L): void {
    this.live.set(entry.detail.summary.id, entry);
  }

  running(id: string): L | undefined {
    return this.live.get(id);
  }

  /** No longer counted live (its helper died: journal recovery may now treat it as an orphan). */
  unlist(id: string): void {
    this.live.delete(id);
  }

  liveIds(): Iterable<string> {
    return this.live.keys();
  }

  summaries(): D['summary'][] {
    return [...[...this.live.values()].map((entry) => entry.detail.summary).reverse(), ...this.finished.map((detail) => detail.summary)];
  }

  /** Finished ones, newest first (what a later job starts from). */
  done(): readonly D[] {
    return this.finished;
  }

  find(id: string): { detail: D; lines: () => StepLogLine<S>[] } {
    const running = this.live.get(id);
    if (running) return { detail: this.current(running), lines: () => running.log.lines };
    const done = this.finished.find((detail) => detail.summary.id === id);
    if (!done) throw new SlipwayError('bad_request', `no ${this.what} ${id}`, 'id');
    return { detail: done, lines: () => this.history.logLines(id) };
  }

  logs(id: string, from: number, count: number): { lines: StepLogLine<S>[]; total: number } {
    const lines = this.find(id).lines();
    return { lines: lines.slice(from, from + count), total: lines.length };
  }

  /** The job is over: its log flushed, its detail (with `summary`) saved, and it moves to the finished. */
  complete(entry: L, summary: D['summary']): D {
    entry.log.flush();
    const detail: D = { ...this.current(entry), summary };
    this.history.save(detail, entry.log.lines);
    this.live.delete(summary.id);
    this.finished.unshift(detail);
    return detail;
  }
}
