import { SlipwayError, type ReadinessReport, type ToolCheck } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';

export interface ReadinessCheck {
  /** The last report, null before the first; the last check's error if it failed (a page that connects later shows it at once). */
  last(): ReadinessReport | null;
  check(): Promise<ReadinessReport>;
}

/** What a probe reports as it goes; the check publishes it and keeps it for clients that join late. */
export interface ProbeProgress {
  started(total: number): void;
  tool(check: ToolCheck): void;
}

/**
 * Runs a probe at most once at a time (two clicks, one probe), keeps the last
 * report as the snapshot, and tells every client how it ended.
 *
 * A check that joins a probe already running publishes that probe's progress
 * again: the page asking may have connected after `readiness.started` went out
 * (the backend probes at start), and would otherwise count tools against a
 * total of 0. The stores apply these events idempotently (tools by name).
 */
export function readinessCheck(bus: EventBus, probe: (progress: ProbeProgress) => Promise<ReadinessReport>): ReadinessCheck {
  let lastReport: ReadinessReport | null = null;
  let lastError: string | null = null;
  let running: Promise<ReadinessReport> | null = null;
  let inFlight: { total: number; tools: ToolCheck[] } | null = null;

  const progress: ProbeProgress = {
    started(total) {
      inFlight = { total, tools: [] };
      bus.publish('readiness.started', { total });
    },
    tool(check) {
      inFlight?.tools.push(check);
      bus.publish('readiness.tool', check);
    },
  };

  async function run(): Promise<ReadinessReport> {
    try {
      lastReport = await probe(progress);
      lastError = null;
      bus.publish('readiness.report', lastReport);
      return lastReport;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      bus.publish('readiness.failed', { message: lastError });
      throw error;
    } finally {
      inFlight = null;
    }
  }

  function replay(): void {
    if (!inFlight) return;
    bus.publish('readiness.started', { total: inFlight.total });
    for (const tool of inFlight.tools) bus.publish('readiness.tool', tool);
  }

  return {
    last() {
      if (lastError !== null) throw new SlipwayError('failed', lastError);
      return lastReport;
    },
    check() {
      if (running) {
        replay();
        return running;
      }
      running = run().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
