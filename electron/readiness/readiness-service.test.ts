import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import type { Runner } from '../process/runner.js';
import { createReadinessService } from './readiness-service.js';
import type { ToolSpec } from './tool-catalog.js';

const catalog: ToolSpec[] = [
  { name: 'sh', debianPackage: 'dash', required: true, neededBy: ['builds'], purpose: 'p', versionArgs: null },
  { name: 'definitely-not-installed-tool', debianPackage: 'nothing', required: false, neededBy: ['containers'], purpose: 'p', versionArgs: null },
];

describe('readiness service', () => {
  it('streams started, one event per tool, then the report; and keeps it as the snapshot', async () => {
    const bus = new EventBus();
    const seen: EventEnvelope[] = [];
    bus.subscribe((event) => seen.push(event));
    let runs = 0;
    const runner: Runner = async () => {
      runs += 1;
      return { exitCode: 1, stdout: '', stderr: '' };
    };
    const service = createReadinessService({ bus, runner, hostname: 'h', uid: 0, user: 'root', pathEnv: '/bin:/usr/bin', catalog, now: () => new Date(0) });
    expect(service.last()).toBeNull();

    const [a, b] = await Promise.all([service.check(), service.check()]);
    expect(a).toBe(b); // two clicks, one probe
    expect(runs).toBe(1); // the dpkg fallback of the one tool found

    // The second click joined the running probe, so its progress so far went out again (see readiness-check.ts).
    expect(seen.map((e) => e.topic)).toEqual(['readiness.started', 'readiness.started', 'readiness.tool', 'readiness.tool', 'readiness.report']);
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(a).toMatchObject({ ready: true, installHint: 'apt-get install nothing', checkedAt: '1970-01-01T00:00:00.000Z' });
    expect(service.last()).toEqual(a);
  });
});

describe('readiness service failure', () => {
  it('tells every client when a probe fails, keeps the failure for the next client, and lets the next probe run', async () => {
    const bus = new EventBus();
    const topics: string[] = [];
    bus.subscribe((event) => topics.push(event.topic));
    let fail = true;
    const runner: Runner = async () => {
      if (fail) throw new Error('dpkg-query hung');
      return { exitCode: 0, stdout: '1.0', stderr: '' };
    };
    const service = createReadinessService({ bus, runner, hostname: 'h', uid: 0, user: 'root', pathEnv: '/bin:/usr/bin', catalog });
    await expect(service.check()).rejects.toThrow('dpkg-query hung');
    expect(topics.at(-1)).toBe('readiness.failed');
    // A page that connects now reads the failure, not an empty "waiting" snapshot.
    expect(() => service.last()).toThrow(expect.objectContaining({ code: 'failed', message: 'dpkg-query hung' }));
    fail = false;
    await expect(service.check()).resolves.toMatchObject({ ready: true });
    expect(service.last()).toMatchObject({ ready: true });
  });
});
