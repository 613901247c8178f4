import { SlipwayError, type StepStatus } from '../../shared/contract/index.js';
import { expectedLike, type ExpectedStepMs } from '../../shared/jobs/step-estimate.js';
import { isAlive, processIdentity, type ProcessIdentity } from '../process/process-identity.js';
import type { JobHistory, LogPage, StoredJob } from './job-history.js';
import type { JobLog, StepLogLine } from './job-log.js';

/** What every job's summary has (a build's, a deploy's). */
interface JobSummary {
  id: string;
  startedAt: string;
  status: string;
  finishedAt: string | null;
  durationMs: number | null;
  failedStep: string | null;
  error: string | null;
}

/** What every job's detail has: a summary, its steps (read for id, status and message), and how long its log is. */
interface JobDetail {
  summary: JobSummary;
  steps: { id: string; status: StepStatus; message: string | null; startedAt: string | null; durationMs: number | null }[];
  logTotal: number;
}

/** A running job: its detail as it started, its log, and the run once there is one (its steps are the live ones). */
export interface LiveJob<D extends JobDetail, S extends string> {
  detail: D;
  log: JobLog<S>;
  run: { steps: D['steps'] } | null;
}

/**
 * The jobs of one kind (builds, deploys): running ones in memory, finished
 * ones in the history on disk; listed newest first, read page by page.
 */
export class JobRegistry<D extends JobDetail, S extends string, L extends LiveJob<D, S>> {
  private readonly live = new Map<string, L>();
  private readonly finished: D[];
  /** Jobs whose process died that another may carry on (`carriesOn`): neither live nor ended until `adopt` or `interrupt`. */
  private readonly held = new Map<string, D>();
  private readonly owner: ProcessIdentity;
  private readonly pendingWrites = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly history: JobHistory<D, StepLogLine<S>>,
    /** "build", "deploy": how a refusal names an unknown id. */
    private readonly what: string,
    /** This process, and how another one is known to be alive (tests pose as a dead or a living other). */
    options: { owner?: ProcessIdentity; alive?: (owner: ProcessIdentity) => boolean; carriesOn?: (id: string) => boolean } = {},
  ) {
    this.owner = options.owner ?? processIdentity() ?? { pid: process.pid, startTime: 'unknown' };
    const alive = options.alive ?? isAlive;
    this.finished = history.load().flatMap((stored) => {
      if (!stored.owner || alive(stored.owner)) return [stored.detail];
      if (options.carriesOn?.(stored.detail.summary.id)) {
        this.held.set(stored.detail.summary.id, stored.detail);
        return [];
      }
      return [this.interrupted(stored)];
    });
  }

  /** The jobs a dead process left that may be carried on, as it last recorded them. */
  heldJobs(): D[] {
    return [...this.held.values()];
  }

  /**
   * A held job carried on by this process: live again, its log going on
   * after the lines its file holds (the last one torn by the crash cut off),
   * this process its owner. Says how many lines the log had.
   */
  adopt(entry: L): number {
    const { id } = entry.detail.summary;
    this.held.delete(id);
    const total = this.history.takeOver(id);
    entry.log.resumeAt(total);
    entry.detail = { ...entry.detail, logTotal: total };
    this.live.set(id, entry);
    this.history.claim(id, this.owner);
    entry.log.spillTo({
      write: (lines) => this.history.append(id, lines),
      read: async (from, count) => (await this.history.logPage(id, from, count, damagedLine)).lines,
    });
    return total;
  }

  /** A held job that cannot be carried on: it ended when its process died, for `why`. */
  interrupt(id: string, why: string): void {
    const detail = this.held.get(id);
    if (!detail) return;
    this.held.delete(id);
    this.finished.unshift(this.interrupted({ detail, owner: null }, why));
  }

  /**
   * Crash recovery of the job's record: the process that ran it died (a crash,
   * a kill, a power cut), so it ended then: the step under way failed, the
   * later ones were skipped, and its log on disk is kept. What its helper held
   * is released by the helper's journal recovery, not here. A job whose owner
   * is alive (a CLI beside the console) is left to it.
   */
  private interrupted({ detail, owner }: StoredJob<D>, reason?: string): D {
    const why = reason ?? `interrupted: the Slipway process running it (pid ${owner!.pid}) ended before it finished`;
    const running = detail.steps.find((step) => step.status === 'running');
    const steps = detail.steps.map((step) =>
      step.status === 'running' ? { ...step, status: 'failed', message: why } : step.status === 'pending' ? { ...step, status: 'skipped', message: 'interrupted' } : step,
    );
    // Its log stays where it is (it may be long): its torn last line cut off, and the reason added.
    const total = this.history.takeOver(detail.summary.id);
    const now = new Date().toISOString();
    const summary = { ...detail.summary, status: 'failed', failedStep: running?.id ?? null, error: why, finishedAt: now, durationMs: Math.max(0, Date.parse(now) - Date.parse(detail.summary.startedAt)) };
    // The summary's status is each kind's own union; 'failed' is in every one of them.
    const ended = { ...detail, summary, steps, logTotal: total + 1 } as D;
    try {
      this.history.append(detail.summary.id, [{ n: total, step: null, stream: 'err', text: why }]);
    } catch {
      // A full disk: the summary still says why.
    }
    this.history.finish(ended);
    return ended;
  }

  /** The detail of a running job as it is now. */
  private current(entry: L): D {
    return { ...entry.detail, steps: entry.run?.steps ?? entry.detail.steps, logTotal: entry.log.total };
  }

  /**
   * A job starts: listed live, and on disk from now on (its detail, its log
   * as written, this process as its owner). Its log keeps only its recent
   * lines in memory; the rest are read back from the file.
   */
  add(entry: L): void {
    const { id } = entry.detail.summary;
    this.live.set(id, entry);
    this.history.begin(entry.detail, this.owner);
    entry.log.spillTo({
      write: (lines) => this.history.append(id, lines),
      read: async (from, count) => (await this.history.logPage(id, from, count, damagedLine)).lines,
    });
  }

  /** A running job's steps changed: its record on disk follows within half a second (what a crash would leave). */
  stepped(entry: L): void {
    const id = entry.detail.summary.id;
    if (this.pendingWrites.has(id)) return;
    this.pendingWrites.set(id, setTimeout(() => {
      this.pendingWrites.delete(id);
      if (!this.live.has(id)) return;
      try {
        this.history.update(this.current(entry));
      } catch {
        // As for the log: the record is written whole when the job ends.
      }
    }, 500));
  }

  /**
   * What a job's release could not free (its helper died under it): the job
   * stops counting as live, so journal recovery treats it as an orphan and
   * frees it now; the log says what.
   */
  async recoverLeftovers(entry: L, step: S | null, unreleased: readonly string[], recover: () => Promise<string[]>): Promise<void> {
    if (unreleased.length === 0) return;
    entry.log.add(step, 'err', `left for journal recovery: ${unreleased.join('; ')}`);
    this.unlist(entry.detail.summary.id);
    const cleaned = await recover().catch((error: Error) => [`recovery failed: ${error.message}`]);
    for (const line of cleaned) entry.log.add(step, 'info', `recovered: ${line}`);
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
    return [...[...this.live.values()].map((entry) => entry.detail.summary).reverse(), ...[...this.held.values()].map((detail) => detail.summary), ...this.finished.map((detail) => detail.summary)];
  }

  /** Each step's usual duration in the finished jobs `like` the new one (others fill the gaps): its time-left estimate. */
  expectedSteps(like: (detail: D) => boolean): ExpectedStepMs | null {
    return expectedLike(this.finished, like);
  }

  /** Finished ones, newest first (what a later job starts from). */
  done(): readonly D[] {
    return this.finished;
  }

  find(id: string): { detail: D; page: (from: number, count: number) => Promise<LogPage<StepLogLine<S>>> } {
    const running = this.live.get(id);
    if (running) {
      const { log } = running;
      return { detail: this.current(running), page: async (from, count) => ({ total: log.total, lines: await log.page(from, count) }) };
    }
    // A held one reads as its dead process left it, until it is carried on or ended.
    const done = this.held.get(id) ?? this.finished.find((detail) => detail.summary.id === id);
    if (!done) throw new SlipwayError('bad_request', `no ${this.what} ${id}`, 'id');
    return { detail: done, page: (from, count) => this.history.logPage(id, from, count, damagedLine) };
  }

  /** A page of a job's log: it costs the page, not the log. */
  logs(id: string, from: number, count: number): Promise<LogPage<StepLogLine<S>>> {
    return this.find(id).page(from, count);
  }

  /** The job is over: its log flushed, its detail (with `summary`) saved, and it moves to the finished. */
  complete(entry: L, summary: D['summary']): D {
    entry.log.flush();
    clearTimeout(this.pendingWrites.get(summary.id));
    this.pendingWrites.delete(summary.id);
    const detail: D = { ...this.current(entry), summary };
    this.history.finish(detail);
    this.live.delete(summary.id);
    this.finished.unshift(detail);
    return detail;
  }
}

/** A line of a log file that is not a line any more (a damaged disk, an edit): shown in its place, so later lines keep their numbers. */
function damagedLine<S extends string>(n: number, why: string): StepLogLine<S> {
  return { n, step: null, stream: 'err', text: `[line ${n + 1} of this log is damaged on disk: ${why.replace(/\s+/g, ' ').slice(0, 200)}]` };
}
