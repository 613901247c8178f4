import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLine, StepId } from '../../shared/contract/index.js';
import { JobLog, type LogSpill } from '../jobs/job-log.js';
import { appendLines, LineIndex, readLines, unreadable } from '../jobs/log-file.js';

/** Past this many lines a mocked build's log spills to a file, as a real one does past its cap; a short log never touches the disk. */
const SPILL_AFTER = 10_000;

/** The spill of one mocked log: JSON lines in a temp file, indexed as they are written, paged as the real history pages. */
class TempLogFile implements LogSpill<StepId> {
  private readonly index = new LineIndex();

  constructor(private readonly path: string) {}

  write(lines: readonly LogLine[]): void {
    appendLines(this.path, this.index, lines.map((line) => JSON.stringify(line)));
  }

  async read(from: number, count: number): Promise<LogLine[]> {
    const to = Math.min(from + count, this.index.lines);
    const handle = await open(this.path, 'r').catch((error: unknown) => {
      throw unreadable(this.path, from, error);
    });
    try {
      return (await readLines(handle, this.path, this.index, from, to)).map((text) => JSON.parse(text) as LogLine);
    } finally {
      await handle.close();
    }
  }
}

const leftAtExit = new Set<string>();
let exitHooked = false;

/** The temp dir of one mocked backend's spilled logs: made on first use, removed by `close()` (or when the process exits). */
export class MockLogFiles {
  private dir: string | null = null;
  private made = 0;

  next(): string {
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), 'slipway-mock-logs-'));
      leftAtExit.add(this.dir);
      if (!exitHooked) process.once('exit', () => [...leftAtExit].forEach((dir) => rmSync(dir, { recursive: true, force: true })));
      exitHooked = true;
    }
    this.made += 1;
    return join(this.dir, `${this.made}.log.jsonl`);
  }

  close(): void {
    if (!this.dir) return;
    rmSync(this.dir, { recursive: true, force: true });
    leftAtExit.delete(this.dir);
    this.dir = null;
  }
}

/**
 * A mocked build's log, bounded in memory as a real one is (the same JobLog):
 * recent lines kept, older ones read back from a temp file. Its batches to
 * clients are the caller's; this only keeps and pages.
 */
export class MockLog {
  private readonly log = new JobLog<StepId>(() => undefined);
  private spilling = false;

  constructor(private readonly files: MockLogFiles) {}

  get total(): number {
    return this.log.total;
  }

  get inMemory(): number {
    return this.log.inMemory;
  }

  add(step: StepId | null, stream: LogLine['stream'], text: string): LogLine {
    if (!this.spilling && this.log.total >= SPILL_AFTER) {
      // Everything so far goes to the file with the next batch.
      this.log.spillTo(new TempLogFile(this.files.next()));
      this.spilling = true;
    }
    return this.log.add(step, stream, text);
  }

  page(from: number, count: number): Promise<LogLine[]> {
    return this.log.page(from, count);
  }
}
