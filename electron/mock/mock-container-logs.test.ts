import { describe, expect, it } from 'vitest';
import { commands } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { tai64n } from './mock-container-logs.js';
import { createMockContainers } from './mock-containers.js';

function harness() {
  let clock = Date.parse('2026-11-23T12:00:00Z');
  const lab = createMockContainers({ bus: new EventBus(), now: () => clock, serviceMs: 1_000 });
  const read = async (instance: string, offset: number, node = 'rack1-n01') => {
    const answer = await lab.handlers['containers.logs']({ node, instance, offset });
    expect(commands['containers.logs'].response.safeParse(answer).success).toBe(true);
    return answer;
  };
  const rows = async () => (await lab.handlers['containers.list']({ nodes: ['rack1-n01'] }))[0]!.rows;
  return { lab, read, rows, advance: (ms: number) => (clock += ms) };
}

const stamped = /^@40000000[0-9a-f]{16} \S/;
const linesOf = (text: string) => text.split('\n').slice(0, -1);

describe('mocked container logs', () => {
  it('stamps lines as s6-log does: TAI64N, 37 s ahead of UTC', () => {
    // s6-tai64n printed @400000006b0471132549bce6 at 1795453166.62 s (date +%s).
    expect(tai64n(1_795_453_166_625)).toBe('@400000006b047113' + (625_000_000).toString(16).padStart(8, '0'));
  });

  it('tails a running container: whole lines from the offset on, a few more each second', async () => {
    const { read, rows, advance } = harness();
    const running = (await rows()).find((r) => r.state === 'running')!;
    const first = await read(running.instance, 0);
    expect(first.restarted).toBe(false);
    expect(first.text.endsWith('\n')).toBe(true);
    expect(first.offset).toBe(first.text.length);
    const lines = linesOf(first.text);
    expect(lines[0]).toMatch(new RegExp(`^@4000\\S+ starting \\w+ as ${running.instance.replace('.', '\\.')}$`));
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line).toMatch(stamped);

    // Nothing new without time passing, however often it is asked.
    expect(await read(running.instance, first.offset)).toEqual({ text: '', offset: first.offset, restarted: false });
    advance(2_000);
    const next = await read(running.instance, first.offset);
    expect(linesOf(next.text)).toHaveLength(5);
    expect(next.offset).toBe(first.offset + next.text.length);
    // The same offset reads the same lines: a retried request loses nothing.
    expect(await read(running.instance, first.offset)).toEqual(next);
    expect((await read(running.instance, 0)).text).toBe(first.text + next.text);
  });

  it('an ended container has its last words and gains nothing; one that never ran has no log yet', async () => {
    const { read, rows, advance } = harness();
    const all = await rows();
    const rc3 = all.find((r) => r.summary === 'return code: 3')!;
    const ended = await read(rc3.instance, 0);
    expect(linesOf(ended.text).at(-1)).toMatch(/^@4000\S+ exiting with status 3$/);
    advance(10_000);
    expect(await read(rc3.instance, ended.offset)).toEqual({ text: '', offset: ended.offset, restarted: false });
    const configured = all.find((r) => r.state === 'configured')!;
    expect(await read(configured.instance, 0)).toEqual({ text: '', offset: 0, restarted: false });
    // By unique name too, as the real backend finds it.
    expect((await read(rc3.unique!, 0)).text).toBe(ended.text);
  });

  it('a configured container started from the console logs from its start, then its exit', async () => {
    const { lab, read, advance } = harness();
    const manifest = 'name: rc\nproid: root\nenvironment: dev\ncpu: 100%\nmemory: 64M\ndisk: 1G\nimage: /srv/images/lab-node.root.img\nservices:\n  - name: web_server\n    command: cat /etc/slipway-test; exit 3\n';
    const { instance } = await lab.handlers['containers.configure']({ node: 'rack1-n01', manifest });
    await lab.handlers['containers.act']({ node: 'rack1-n01', instance, action: 'start' });
    advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const log = await read(instance, 0);
    expect(linesOf(log.text).map((l) => l.replace(/^@\S+ /, ''))).toEqual([`starting web_server as ${instance}`, 'web_server: heartbeat seq=1', 'web_server: GET /api/items 200 3.1ms seq=2', 'exiting with status 3']);
    lab.close();
  });

  it('starts again from 0 when s6-log rotated current; refuses an unknown container', async () => {
    const { read, rows, advance } = harness();
    const running = (await rows()).find((r) => r.state === 'running')!;
    let offset = (await read(running.instance, 0)).offset;
    let rotated = null;
    for (let i = 0; i < 40 && !rotated; i++) {
      advance(60_000);
      const answer = await read(running.instance, offset);
      if (answer.restarted) rotated = answer;
      else offset = answer.offset;
    }
    expect(rotated).not.toBeNull();
    expect(rotated!.offset).toBe(rotated!.text.length);
    expect(rotated!.offset).toBeLessThan(offset);
    await expect(read('proid.web#9999999999', 0)).rejects.toMatchObject({ code: 'bad_request', field: 'instance' });
    await expect(read(running.instance, 0, 'rack3-n07')).rejects.toMatchObject({ code: 'bad_request', field: 'instance' });
  });
});
