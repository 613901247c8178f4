import { describe, expect, it } from 'vitest';
import type { EventEnvelope, ReadinessReport, ToolCheck } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { readinessCheck, type ProbeProgress } from './readiness-check.js';

const tool = (name: string): ToolCheck => ({ name, found: true, required: true, path: `/usr/bin/${name}`, version: '1', debianPackage: name, neededBy: ['builds'], purpose: 'p' }) as ToolCheck;

describe('readiness check', () => {
  it('gives a client that joins a running probe its total and the tools so far (the CI race of stop 25)', async () => {
    const bus = new EventBus();
    let progress: ProbeProgress | undefined;
    let finish: ((report: ReadinessReport) => void) | undefined;
    const check = readinessCheck(bus, (p) => {
      progress = p;
      return new Promise<ReadinessReport>((resolve) => (finish = resolve));
    });
    const first = check.check(); // the backend's own probe at start
    progress!.started(3);
    progress!.tool(tool('gzip'));

    const late: EventEnvelope[] = []; // a page that connected after readiness.started
    bus.subscribe((event) => late.push(event));
    const second = check.check();
    expect(late.map((e) => [e.topic, e.payload])).toEqual([
      ['readiness.started', { total: 3 }],
      ['readiness.tool', tool('gzip')],
    ]);

    const report = { ready: true } as ReadinessReport;
    finish!(report);
    expect(await first).toBe(report);
    expect(await second).toBe(report);
    // Nothing is in flight now: the next check starts a probe of its own, with nothing replayed.
    late.length = 0;
    void check.check();
    expect(late).toEqual([]);
  });
});
