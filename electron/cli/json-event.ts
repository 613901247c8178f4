import { fromLogBatch, type LogBatch, type SlipwayEvent } from '../../shared/contract/index.js';

const logTopics = new Set<string>(['builds.log', 'deploy.log', 'boot.log']);

/**
 * An event as `--json` prints it, one per line. Log batches travel as columns
 * (shared/contract/log-batch.ts); scripts reading the CLI keep the shape they
 * always read: `{ id, lines: [{ n, step, stream, text }] }`.
 */
export function jsonEvent(event: Pick<SlipwayEvent, 'topic' | 'payload'>): string {
  if (!logTopics.has(event.topic)) return JSON.stringify({ topic: event.topic, payload: event.payload });
  const batch = event.payload as LogBatch;
  return JSON.stringify({ topic: event.topic, payload: { id: batch.id, lines: fromLogBatch(batch) } });
}
