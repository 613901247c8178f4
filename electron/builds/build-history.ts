import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildSummary, LogLine, StepState, type BuildDetail } from '../../shared/contract/index.js';

/** Finished builds on disk: one JSON file each for the detail, one JSON-lines file for the log. */
export class BuildHistory {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'builds');
  }

  save(detail: BuildDetail, lines: readonly LogLine[]): void {
    mkdirSync(this.dir, { recursive: true });
    const id = detail.summary.id;
    const write = (name: string, content: string) => {
      const temp = join(this.dir, `.${name}.tmp`);
      writeFileSync(temp, content);
      renameSync(temp, join(this.dir, name));
    };
    write(`${id}.log.jsonl`, lines.map((line) => JSON.stringify(line)).join('\n'));
    write(`${id}.json`, JSON.stringify(detail));
  }

  /** Every readable build, newest first; a damaged file is skipped, not fatal. */
  load(): BuildDetail[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith('.json'));
    } catch {
      return [];
    }
    const details: BuildDetail[] = [];
    for (const name of names) {
      try {
        const raw = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as BuildDetail;
        details.push({ ...raw, summary: BuildSummary.parse(raw.summary), steps: raw.steps.map((s) => StepState.parse(s)) });
      } catch {
        continue;
      }
    }
    return details.sort((a, b) => b.summary.startedAt.localeCompare(a.summary.startedAt));
  }

  logLines(id: string): LogLine[] {
    try {
      return readFileSync(join(this.dir, `${id}.log.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => LogLine.parse(JSON.parse(line)));
    } catch {
      return [];
    }
  }
}
