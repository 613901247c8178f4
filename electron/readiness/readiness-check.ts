import { SlipwayError, type ReadinessReport } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';

export interface ReadinessCheck {
  /** The last report, null before the first; the last check's error if it failed (a page that connects later shows it at once). */
  last(): ReadinessReport | null;
  check(): Promise<ReadinessReport>;
}

/**
 * Runs a probe at most once at a time (two clicks, one probe), keeps the last
 * report as the snapshot, and tells every client how it ended.
 */
export function readinessCheck(bus: EventBus, probe: () => Promise<ReadinessReport>): ReadinessCheck {
  let lastReport: ReadinessReport | null = null;
  let lastError: string | null = null;
  let running: Promise<ReadinessReport> | null = null;

  async function run(): Promise<ReadinessReport> {
    try {
      lastReport = await probe();
      lastError = null;
      bus.publish('readiness.report', lastReport);
      return lastReport;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      bus.publish('readiness.failed', { message: lastError });
      throw error;
    }
  }

  return {
    last() {
      if (lastError !== null) throw new SlipwayError('failed', lastError);
      return lastReport;
    },
    check() {
      running ??= run().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
