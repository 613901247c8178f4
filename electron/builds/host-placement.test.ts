import { describe, expect, it } from 'vitest';
import type { HelperClient } from '../helper/helper-client.js';
import type { HelperSource } from '../helper/helper-supervisor.js';
import { createHostPlacement, type CacheHit, type HostJob } from './host-placement.js';

const hit = (host: string): CacheHit => ({ artifacts: [], metadataPath: `/srv/${host}/x.yaml` });

/**
 * Build hosts whose cache lookups answer when the test says so (each host's
 * answers in its own order), and a record of what placement decided.
 */
function harness(hosts: string[], refusals = new Map<string, string>()) {
  const answers = new Map<string, ((value: CacheHit | null) => void)[]>(hosts.map((h) => [h, []]));
  const source = (host: string): HelperSource => ({
    get: async () =>
      ({
        call: () => ({ result: new Promise((resolve) => answers.get(host)!.push((value) => resolve({ hit: value }))) }),
      }) as unknown as HelperClient,
    close: async () => {},
  });
  const events: string[] = [];
  const running = new Map<string, () => void>();
  const placement = createHostPlacement({
    pool: {
      helperOf: (name) => {
        if (!hosts.includes(name)) throw new Error(`${name} is not a build host`);
        return source(name);
      },
      hosts: () => hosts.map((name) => ({ name, limit: 1 })),
      onChange: () => {},
      refusal: async (name) => refusals.get(name) ?? null,
    },
    launch: (id, host) => {
      events.push(`run ${id}@${host}`);
      return new Promise<void>((resolve) => running.set(id, resolve));
    },
    hit: (id, host) => void events.push(`hit ${id}@${host}`),
    fail: (id, message) => void events.push(`fail ${id}: ${message}`),
    position: (id, position) => void events.push(`position ${id} ${position}`),
  });
  const job = (id: string, host: string): HostJob => ({ id, name: id, imageCount: 1, specHash: 'a'.repeat(64), outputDir: `/srv/${id}`, host, container: 'gzip', log: () => {} });
  /** A pending lookup on `host` answers: the oldest, or with `newest` the latest asked. */
  const answer = async (host: string, value: CacheHit | null, newest = false) => {
    for (let i = 0; i < 20 && answers.get(host)!.length === 0; i += 1) await new Promise((resolve) => setImmediate(resolve));
    const pending = answers.get(host)!;
    (newest ? pending.pop() : pending.shift())!(value);
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  const end = async (id: string) => {
    running.get(id)!();
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  return { placement, events, job, answer, end };
}

describe('host placement', () => {
  it('queues builds in the order they were started, whichever host cache answers first', async () => {
    const { placement, events, job, answer, end } = harness(['b1']);
    placement.place(job('x', 'b1'));
    placement.place(job('y', 'b1'));
    placement.place(job('z', 'b1'));
    // The lookups answer z, y, x: x still runs first, then y and z wait in that order.
    await answer('b1', null, true);
    await answer('b1', null, true);
    expect(events).toEqual([]);
    await answer('b1', null, true);
    expect(events).toEqual(['run x@b1', 'position y 1', 'position z 2']);
    await end('x');
    expect(events.slice(3)).toEqual(['run y@b1', 'position z 1']);
  });

  it('answers `any` from the host that holds the artifacts, without queueing', async () => {
    const { placement, events, job, answer } = harness(['b1', 'b2']);
    placement.place(job('x', 'any'));
    await answer('b1', null);
    await answer('b2', hit('b2'));
    expect(events).toEqual(['hit x@b2']);
  });

  it('cancels a build still asking the caches: it never runs; a running one is not placement\'s to cancel', async () => {
    const { placement, events, job, answer } = harness(['b1']);
    placement.place(job('x', 'b1'));
    expect(placement.cancel('x')).toBe(true);
    await answer('b1', null);
    expect(events).toEqual([]);
    placement.place(job('y', 'b1'));
    await answer('b1', null);
    expect(events).toEqual(['run y@b1']);
    expect(placement.cancel('y')).toBe(false);
  });

  it('a host lacking a tool the build needs: a build named for it fails saying what to install; `any` leaves it out and runs elsewhere', async () => {
    const missing = 'mmdebstrap is not installed there: apt-get install mmdebstrap on b1';
    const { placement, events, job, answer } = harness(['b1', 'b2'], new Map([['b1', missing]]));
    placement.place(job('x', 'b1'));
    const logged: string[] = [];
    placement.place({ ...job('y', 'any'), log: (_stream, text) => void logged.push(text) });
    await answer('b2', null);
    expect(events).toEqual([`fail x: build host b1 cannot run this build: ${missing}`, 'run y@b2']);
    expect(logged).toEqual([`build host b1 left out: ${missing}`]);
  });

  it('refuses a node that is no build host, and `any` without hosts, before anything is placed', () => {
    expect(() => harness(['b1']).placement.check('other')).toThrow('other is not a build host');
    expect(() => harness([]).placement.check('any')).toThrow('no build host: label an inventory node build-host');
  });
});
