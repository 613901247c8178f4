import type { LogBuffer, ShownLine } from './log-buffer.js';

export interface LogFillSource<L extends ShownLine> {
  /** The buffer of this job while it is the selected one; null once another is. */
  buffer(id: string): LogBuffer<L> | null;
  page(id: string, from: number): Promise<{ lines: L[]; total: number }>;
  /** A page went into the buffer; `total` is the backend's count of the job's lines. */
  appended(total: number): void;
  /** Called for the job still selected only. */
  loading(on: boolean): void;
  failed(error: unknown): void;
}

/**
 * The paged, gap-aware fill of a job's log (builds and deploys): pages are
 * fetched from the end of what the buffer holds until it holds them all (and
 * no line waits past a gap); one fill per job at a time, and a fill asked for
 * while one runs makes it go round once more. A fill whose job is no longer
 * selected stops before its next request.
 */
export function createLogFill<L extends ShownLine>(source: LogFillSource<L>): (id: string) => Promise<void> {
  const fills = new Map<string, Promise<void>>();
  const again = new Set<string>();

  async function pageToEnd(id: string): Promise<void> {
    for (;;) {
      const log = source.buffer(id);
      if (!log) return;
      const page = await source.page(id, log.length);
      if (source.buffer(id) !== log) return;
      // A log longer than the buffer keeps: only its tail is fetched (the rest on scroll-back).
      const tail = page.total - log.cap;
      if (tail > log.length + page.lines.length) {
        log.skipTo(tail);
        source.appended(page.total);
        continue;
      }
      log.append(page.lines);
      source.appended(page.total);
      if (page.lines.length === 0 || (log.length >= page.total && !log.waiting)) return;
    }
  }

  return function fillLog(id: string): Promise<void> {
    const running = fills.get(id);
    if (running) {
      again.add(id);
      return running;
    }
    source.loading(true);
    const fill = (async () => {
      try {
        do {
          again.delete(id);
          await pageToEnd(id);
        } while (again.has(id));
      } catch (error) {
        if (source.buffer(id)) source.failed(error);
      } finally {
        fills.delete(id);
        if (source.buffer(id)) source.loading(false);
      }
    })();
    fills.set(id, fill);
    return fill;
  };
}
