import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** Finished jobs on disk: one JSON file each for the detail, one JSON-lines file for the log. */
export class JobHistory<D, L> {
  private readonly dir: string;

  constructor(
    stateDir: string,
    private readonly shape: JobShape<D, L>,
  ) {
    this.dir = join(stateDir, shape.kind);
  }

  save(detail: D, lines: readonly L[]): void {
    // Only the operator reads job history: a log line can hold what a spec or an extension printed.
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const id = this.shape.id(detail);
    const write = (name: string, content: string) => {
      const temp = join(this.dir, `.${name}.tmp`);
      writeFileSync(temp, content, { mode: 0o600 });
      renameSync(temp, join(this.dir, name));
    };
    write(`${id}.log.jsonl`, lines.map((line) => JSON.stringify(line)).join('\n'));
    write(`${id}.json`, JSON.stringify(detail));
  }

  /** Every readable job, newest first. */
  load(): D[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith('.json'));
    } catch {
      return [];
    }
    const details: D[] = [];
    for (const name of names) {
      try {
        details.push(this.shape.parseDetail(JSON.parse(readFileSync(join(this.dir, name), 'utf8'))));
      } catch {
        continue;
      }
    }
    return details.sort((a, b) => this.shape.startedAt(b).localeCompare(this.shape.startedAt(a)));
  }

  logLines(id: string): L[] {
    try {
      return readFileSync(join(this.dir, `${id}.log.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => this.shape.parseLine(JSON.parse(line)));
    } catch {
      return [];
    }
  }
}
