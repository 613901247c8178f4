import type { ReadinessReport } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';

export interface ReadinessCheck {
  last(): ReadinessReport | null;
  check(): Promise<ReadinessReport>;
}

/**
 * Runs a probe at most once at a time (two clicks, one probe), keeps the last
 * report as the snapshot, and tells every client how it ended.
 */
export function readinessCheck(bus: EventBus, probe: () => Promise<ReadinessReport>): ReadinessCheck {
  let lastReport: ReadinessReport | null = null;
  let running: Promise<ReadinessReport> | null = null;

  async function run(): Promise<ReadinessReport> {
    try {
      lastReport = await probe();
      bus.publish('readiness.report', lastReport);
      return lastReport;
    } catch (error) {
      bus.publish('readiness.failed', { message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  return {
    last: () => lastReport,
    check() {
      running ??= run().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
