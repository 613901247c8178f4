import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessIdentity } from '../process/process-identity.js';

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

/**
 * Jobs on disk: one JSON file each for the detail, one JSON-lines file for
 * the log. A job is on disk from its start: its detail as its steps change,
 * its log as it is written, and `<id>.owner` (the process running it) until
 * it finishes; so a job whose process died is found, with its log, by the
 * next one.
 */
export class JobHistory<D, L> {
  private readonly dir: string;

  constructor(
    stateDir: string,
    private readonly shape: JobShape<D, L>,
  ) {
    this.dir = join(stateDir, shape.kind);
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

  /** A job starts: its detail, an empty log, and who runs it. */
  begin(detail: D, owner: ProcessIdentity): void {
    const id = this.shape.id(detail);
    this.write(`${id}.log.jsonl`, '');
    this.write(`${id}.owner`, JSON.stringify(owner));
    this.write(`${id}.json`, JSON.stringify(detail));
  }

  /** The running job's detail as it is now (a step changed). */
  update(detail: D): void {
    this.write(`${this.shape.id(detail)}.json`, JSON.stringify(detail));
  }

  /** Lines of a running job's log, as they are handed out. */
  append(id: string, lines: readonly L[]): void {
    if (lines.length > 0) appendFileSync(join(this.dir, `${id}.log.jsonl`), JobHistory.lines(lines), { mode: 0o600 });
  }

  /** The job is over: its whole log and final detail, and no owner any more. */
  save(detail: D, lines: readonly L[]): void {
    const id = this.shape.id(detail);
    this.write(`${id}.log.jsonl`, JobHistory.lines(lines));
    this.write(`${id}.json`, JSON.stringify(detail));
    rmSync(join(this.dir, `${id}.owner`), { force: true });
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

  /** The job's log; a line torn by a crash (or damaged) is left out, not the rest. */
  logLines(id: string): L[] {
    let text: string;
    try {
      text = readFileSync(join(this.dir, `${id}.log.jsonl`), 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').flatMap((line) => {
      if (!line) return [];
      try {
        return [this.shape.parseLine(JSON.parse(line))];
      } catch {
        return [];
      }
    });
  }
}
