import { appendFileSync, chmodSync, closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessIdentity } from '../process/process-identity.js';
import { appendLines, sealTorn } from './log-file.js';
import { LogIndexes } from './log-indexes.js';

/** What a history needs to know of a finished job (a build, a deploy). */
export interface JobShape<D, L> {
  /** Subdirectory of the state dir. */
  kind: string;
  id(detail: D): string;
  startedAt(detail: D): string;
  /** Throws on a damaged file: that job is skipped, not fatal. */
  parseDetail(raw: unknown): D;
  parseLine(raw: unknown): L;
}

/** A job as read from disk; `owner` is the process that was running it, if it never finished. */
export interface StoredJob<D> {
  detail: D;
  owner: ProcessIdentity | null;
}

/** A page of a job's log and how long the whole log is. */
export interface LogPage<L> {
  lines: L[];
  total: number;
}

/**
 * Jobs on disk: one JSON file each for the detail, one JSON-lines file for
 * the log. A job is on disk from its start: its detail as its steps change,
 * its log as it is written, and `<id>.owner` (the process running it) until
 * it finishes; so a job whose process died is found, with its log, by the
 * next one. Logs are read a page at a time through a line index, never whole.
 */
export class JobHistory<D, L> {
  private readonly dir: string;
  private readonly indexes: LogIndexes;

  constructor(
    stateDir: string,
    private readonly shape: JobShape<D, L>,
  ) {
    this.dir = join(stateDir, shape.kind);
    this.indexes = new LogIndexes((id) => this.logPath(id));
  }

  private logPath(id: string): string {
    return join(this.dir, `${id}.log.jsonl`);
  }

  private write(name: string, content: string): void {
    // Only the operator reads job history: a log line can hold what a spec or an extension printed.
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const temp = join(this.dir, `.${name}.tmp`);
    writeFileSync(temp, content, { mode: 0o600 });
    renameSync(temp, join(this.dir, name));
  }

  private static lines(lines: readonly unknown[]): string {
    return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  }

  /** A job starts: its detail, an empty log (indexed as it is written), and who runs it. */
  begin(detail: D, owner: ProcessIdentity): void {
    const id = this.shape.id(detail);
    this.write(`${id}.log.jsonl`, '');
    this.indexes.writing(id);
    this.write(`${id}.owner`, JSON.stringify(owner));
    this.write(`${id}.json`, JSON.stringify(detail));
  }

  /** A job another process began is this one's now (it carries it on; `takeOver` first). */
  claim(id: string, owner: ProcessIdentity): void {
    this.write(`${id}.owner`, JSON.stringify(owner));
  }

  /** The running job's detail as it is now (a step changed). */
  update(detail: D): void {
    this.write(`${this.shape.id(detail)}.json`, JSON.stringify(detail));
  }

  /**
   * Lines of a running job's log, as they are handed out. Throws when they
   * could not be written (a full disk): the file is left ending with the
   * lines before them, so they can be appended again.
   */
  append(id: string, lines: readonly L[]): void {
    if (lines.length === 0) return;
    const index = this.indexes.writer(id);
    if (index) appendLines(this.logPath(id), index, lines.map((line) => JSON.stringify(line)));
    else {
      appendFileSync(this.logPath(id), JobHistory.lines(lines), { mode: 0o600 });
      this.indexes.forget(id);
    }
  }

  /** The job is over: its final detail, and no owner any more; its log is what was appended. */
  finish(detail: D): void {
    const id = this.shape.id(detail);
    this.write(`${id}.json`, JSON.stringify(detail));
    rmSync(join(this.dir, `${id}.owner`), { force: true });
    this.indexes.ended(id);
  }

  /** A job saved whole at once, log and detail (an import, a test). */
  save(detail: D, lines: readonly L[]): void {
    const id = this.shape.id(detail);
    this.write(`${id}.log.jsonl`, JobHistory.lines(lines));
    this.indexes.forget(id);
    this.finish(detail);
  }

  /**
   * The log of a job whose process died, to be ended by this one: its torn
   * last line cut off (so what is appended starts a line of its own), and
   * how many whole lines it holds.
   */
  takeOver(id: string): number {
    return this.indexes.writing(id, sealTorn(this.logPath(id))).lines;
  }

  /**
   * The helper's sequence number of the last line the job's log file holds
   * (0: none): a console carrying the job on asks its helper for what followed.
   * Read from the file's tail only.
   */
  lastSeq(id: string): number {
    let fd: number | null = null;
    try {
      fd = openSync(this.logPath(id), 'r');
      const size = fstatSync(fd).size;
      const length = Math.min(size, 4 * 2 ** 20);
      const tail = Buffer.alloc(length);
      readSync(fd, tail, 0, length, size - length);
      const lines = tail.toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        const found = /"seq":(\d+)\}$/.exec(lines[i]!);
        if (found) return Number(found[1]);
      }
      return 0;
    } catch {
      return 0;
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  /** A file kept with a job (a build's package manifest): `<id>.<suffix>`, which `load` never reads as a job. */
  writeAttachment(id: string, suffix: string, content: string): void {
    this.write(`${id}.${suffix}`, content);
  }

  readAttachment(id: string, suffix: string): string | null {
    try {
      return readFileSync(join(this.dir, `${id}.${suffix}`), 'utf8');
    } catch {
      return null;
    }
  }

  /** Every readable job, newest first. */
  load(): StoredJob<D>[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith('.json'));
    } catch {
      return [];
    }
    const jobs: StoredJob<D>[] = [];
    for (const name of names) {
      try {
        const detail = this.shape.parseDetail(JSON.parse(readFileSync(join(this.dir, name), 'utf8')));
        jobs.push({ detail, owner: this.owner(this.shape.id(detail)) });
      } catch {
        continue;
      }
    }
    return jobs.sort((a, b) => this.shape.startedAt(b.detail).localeCompare(this.shape.startedAt(a.detail)));
  }

  private owner(id: string): ProcessIdentity | null {
    try {
      const raw = JSON.parse(readFileSync(join(this.dir, `${id}.owner`), 'utf8')) as ProcessIdentity;
      return Number.isInteger(raw.pid) && typeof raw.startTime === 'string' ? { pid: raw.pid, startTime: raw.startTime } : null;
    } catch {
      return null;
    }
  }

  /**
   * Lines [from, from + count) of the job's log, read from its index without
   * reading the rest. A line torn by a crash is not counted; a damaged one
   * keeps its place as `damaged` says. A file that cannot be read fails this
   * page with an error that names it.
   */
  async logPage(id: string, from: number, count: number, damaged: (n: number, why: string) => L): Promise<LogPage<L>> {
    const { texts, total } = await this.indexes.read(id, from, count);
    const lines = texts.map((text, i) => {
      try {
        return this.shape.parseLine(JSON.parse(text));
      } catch (error) {
        return damaged(from + i, (error as Error).message);
      }
    });
    return { lines, total };
  }
}
