import { describe, expect, it } from 'vitest';
import { toLogBatch, type ColumnLine } from '../../shared/contract/index.js';
import { jsonEvent } from './json-event.js';

describe('--json events', () => {
  it('prints a log batch as the line objects scripts read, and other events as they are', () => {
    const lines: ColumnLine[] = [
      { n: 7, step: 'debootstrap', stream: 'info', text: '+ debootstrap' },
      { n: 8, step: 'debootstrap', stream: 'out', text: 'I: Retrieving InRelease' },
      { n: 9, step: null, stream: 'err', text: 'cleanup' },
    ];
    expect(JSON.parse(jsonEvent({ topic: 'builds.log', payload: toLogBatch('b1', lines) as never }))).toEqual({ topic: 'builds.log', payload: { id: 'b1', lines } });
    expect(JSON.parse(jsonEvent({ topic: 'deploy.log', payload: toLogBatch('d1', lines) as never })).payload.lines).toEqual(lines);
    expect(jsonEvent({ topic: 'builds.recovered', payload: { cleaned: ['/x'] } })).toBe('{"topic":"builds.recovered","payload":{"cleaned":["/x"]}}');
  });
});
