import { describe, expect, it } from 'vitest';
import { BuildQueue, defaultLimit, type QueueHost, type QueuedBuild } from './build-queue.js';

/** A runner whose builds end when the test says so. */
function harness(hosts: QueueHost[]) {
  const ends = new Map<string, () => void>();
  const started: string[] = [];
  const queue = new BuildQueue(
    () => hosts,
    (build, host) =>
      new Promise<void>((resolve) => {
        started.push(`${build.id}@${host}`);
        ends.set(build.id, resolve);
      }),
  );
  const finish = async (id: string) => {
    ends.get(id)!();
    await new Promise((resolve) => setImmediate(resolve)); // the slot is freed in the promise's finally
  };
  return { queue, started, finish };
}

const host = (name: string, limit = 1, hits: string[] = []): QueueHost => ({ name, limit, hasCacheHit: (hash) => hits.includes(hash) });
const build = (id: string, target = 'any', outputDir = `/srv/${id}`, specHash = `hash-${id}`): QueuedBuild => ({ id, specHash, outputDir, host: target });

describe('build queue', () => {
  it('runs two builds on a host with limit 1 one after the other, and says the position of the second', async () => {
    const { queue, started, finish } = harness([host('b1')]);
    expect(queue.enqueue(build('x', 'b1'))).toEqual({ state: 'running', host: 'b1' });
    expect(queue.enqueue(build('y', 'b1'))).toEqual({ state: 'queued', position: 1 });
    expect(started).toEqual(['x@b1']);
    await finish('x');
    expect(started).toEqual(['x@b1', 'y@b1']);
    expect(queue.state('y')).toEqual({ state: 'running', host: 'b1' });
  });

  it('a build waiting for a full host does not hold up one behind it for another host', () => {
    const { queue, started } = harness([host('b1'), host('b2')]);
    queue.enqueue(build('a', 'b1'));
    queue.enqueue(build('b', 'b1'));
    queue.enqueue(build('c', 'b2'));
    expect(started).toEqual(['a@b1', 'c@b2']);
    expect(queue.state('b')).toEqual({ state: 'queued', position: 1 });
  });

  it('any goes to the free host with a cache hit for the spec, then to the least loaded one', () => {
    const { queue, started } = harness([host('b1', 2), host('b2', 2, ['hash-warm'])]);
    queue.enqueue(build('warm', 'any', '/srv/w', 'hash-warm'));
    queue.enqueue(build('cold1'));
    queue.enqueue(build('cold2')); // a tie in load: by name
    queue.enqueue(build('cold3')); // b1 is full
    expect(started).toEqual(['warm@b2', 'cold1@b1', 'cold2@b1', 'cold3@b2']);
  });

  it('never runs two builds into the same output on a host, even with room', async () => {
    const { queue, started, finish } = harness([host('b1', 2)]);
    queue.enqueue(build('first', 'b1', '/srv/images'));
    queue.enqueue(build('second', 'b1', '/srv/images'));
    queue.enqueue(build('other', 'b1', '/srv/other'));
    expect(started).toEqual(['first@b1', 'other@b1']);
    await finish('first');
    expect(started.at(-1)).toBe('second@b1');
  });

  it('frees the slot when a build fails, refuses an unknown host by name, and takes a waiting build out', async () => {
    const hosts = [host('b1')];
    let fail = true;
    const started: string[] = [];
    const queue = new BuildQueue(
      () => hosts,
      async (b) => {
        started.push(b.id);
        if (fail) throw new Error('helper exited');
      },
    );
    expect(() => queue.enqueue(build('z', 'nowhere'))).toThrow('no build host named "nowhere": label an inventory node build-host, or use any');
    queue.enqueue(build('bad', 'b1'));
    fail = false;
    queue.enqueue(build('waiting', 'b1'));
    queue.enqueue(build('dropped', 'b1'));
    expect(queue.remove('dropped')).toBe(true);
    expect(queue.remove('dropped')).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['bad', 'waiting']);
    expect(queue.state('dropped')).toEqual({ state: 'unknown' });
  });

  it('waits for a host to appear, and re-reads the hosts at each pump', () => {
    const hosts: QueueHost[] = [];
    const started: string[] = [];
    const queue = new BuildQueue(() => hosts, async (b, h) => void started.push(`${b.id}@${h}`));
    expect(queue.enqueue(build('early'))).toEqual({ state: 'queued', position: 1 });
    hosts.push(host('late'));
    queue.pump();
    expect(started).toEqual(['early@late']);
  });

  it('defaults to one build per two cores, at least one', () => {
    expect([1, 2, 3, 4, 16].map(defaultLimit)).toEqual([1, 1, 1, 2, 8]);
  });
});
