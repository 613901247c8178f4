import { describe, expect, it } from 'vitest';
import { EventBus } from '../host/event-bus.js';
import { createMockContainers } from './mock-containers.js';

describe('mocked containers', () => {
  it('lists every state on three nodes, with timelines, and refuses unknown nodes', async () => {
    const bus = new EventBus();
    const scans: string[] = [];
    bus.subscribe((event) => scans.push(event.topic));
    const { handlers } = createMockContainers({ bus, perNode: 8 });
    const result = await handlers['containers.list']({});
    expect(result.map((s) => [s.node, s.rows.length])).toEqual([['rack1-n01', 8], ['rack1-n02', 8], ['rack2-n02', 8]]);
    expect(new Set(result[0]!.rows.map((r) => r.state))).toEqual(new Set(['running', 'finished', 'killed', 'aborted', 'terminated', 'configured']));
    expect(scans).toEqual(['containers.scan', 'containers.scan', 'containers.scan']);
    const killed = result[0]!.rows.find((r) => r.state === 'killed')!;
    expect((await handlers['containers.trace']({ node: killed.node, instance: killed.instance })).map((e) => e.text).at(-1)).toBe('killed, out of memory');
    await expect(handlers['containers.list']({ nodes: ['nope'] })).rejects.toMatchObject({ field: 'nodes' });
  });
});
