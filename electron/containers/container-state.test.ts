import { describe, expect, it } from 'vitest';
import { containerStatus, type ContainerFacts } from './container-state.js';
import { describeEvent, parseEventFile } from './trace-events.js';

const facts = (patch: Partial<ContainerFacts>): ContainerFacts => ({
  running: false, cleanup: false, cleaning: false, aborted: null, oom: false, terminated: false, exitinfo: null, oldExitinfo: null, oldAborted: null, tombstone: null, serviceTombstone: null, ...patch,
});

describe('container state (Treadmill precedence)', () => {
  it('reads every state', () => {
    expect(containerStatus(facts({}))).toMatchObject({ state: 'configured', summary: 'configured' });
    expect(containerStatus(facts({ running: true }))).toMatchObject({ state: 'running' });
    expect(containerStatus(facts({ cleanup: true }))).toMatchObject({ state: 'cleanup', summary: 'cleanup pending', cleanupPending: true });
    expect(containerStatus(facts({ exitinfo: '{"service": "web_server", "return_code": 3, "signal": 0, "timestamp": 1700000000.5}', cleanup: true }))).toMatchObject({
      state: 'finished', summary: 'return code: 3', exit: { service: 'web_server', rc: 3, signal: 0, timestamp: 1700000000.5 }, cleanupPending: true,
    });
    expect(containerStatus(facts({ exitinfo: '{"service": "web_server", "return_code": 256, "signal": 15}' }))).toMatchObject({ state: 'finished', summary: 'signal: SIGTERM' });
    expect(containerStatus(facts({ oom: true }))).toMatchObject({ state: 'killed', summary: 'out of memory' });
    expect(containerStatus(facts({ aborted: '{"why": "image", "payload": {"image": "docker://x"}}' }))).toMatchObject({ state: 'aborted', summary: 'aborted: image', aborted: { why: 'image', payload: { image: 'docker://x' } } });
    // Plain text is not a reason: json.load fails and Treadmill records ABORTED_UNKNOWN.
    expect(containerStatus(facts({ aborted: 'pid1\n' }))).toMatchObject({ state: 'aborted', summary: 'aborted: unknown', aborted: { why: 'unknown', payload: null } });
  });

  it('aborted beats oom beats terminated beats exitinfo', () => {
    const all = { aborted: '{"why": "presence"}', oom: true, terminated: true, exitinfo: '{"service": "s", "return_code": 0, "signal": 0}', running: true };
    expect(containerStatus(facts(all)).state).toBe('aborted');
    expect(containerStatus(facts({ ...all, aborted: null })).state).toBe('killed');
    // Terminated: the exit info is ignored (test_terminated_no_event).
    expect(containerStatus(facts({ ...all, aborted: null, oom: false })).state).toBe('terminated');
    expect(containerStatus(facts({ ...all, aborted: null, oom: false, terminated: false })).state).toBe('finished');
  });

  it('reports malformed files instead of failing', () => {
    // As Treadmill reads them: a half-written exitinfo is {} (256.256), a half-written aborted is ABORTED_UNKNOWN.
    expect(containerStatus(facts({ exitinfo: '{not json' }))).toMatchObject({ state: 'finished', summary: 'signal: 256', problems: [expect.stringMatching(/^exitinfo is not valid JSON/)] });
    expect(containerStatus(facts({ exitinfo: '[1,2]' })).problems).toEqual(['exitinfo is JSON but not an object: Treadmill\u2019s finish fails on it']);
    expect(containerStatus(facts({ aborted: '{"why": ' }))).toMatchObject({ state: 'aborted', summary: 'aborted: unknown', problems: [] });
    // JSON null in data/aborted is "not aborted" (aborted is None).
    expect(containerStatus(facts({ aborted: 'null', running: true })).state).toBe('running');
  });
});

describe('app events', () => {
  it('parses every event type with its data', () => {
    const parse = (file: string) => {
      const result = parseEventFile(file);
      if (!result.ok) throw new Error(result.problem);
      return result.event;
    };
    expect(parse('1477604218.82,proid.myapp#0000000001,scheduled,host01.example:schedule')).toMatchObject({ type: 'scheduled', where: 'host01.example', why: 'schedule', time: 1477604218.82, instance: 'proid.myapp#0000000001' });
    expect(parse('1.0,proid.myapp#1,pending,no_capacity')).toMatchObject({ type: 'pending', why: 'no_capacity' });
    expect(parse('1.0,proid.myapp#1,pending_delete,evicted')).toMatchObject({ type: 'pending_delete', why: 'evicted' });
    expect(parse('1.0,proid.myapp#1,configured,0000000ID1234')).toMatchObject({ type: 'configured', uniqueId: '0000000ID1234' });
    expect(parse('1.0,proid.myapp#1,deleted,')).toMatchObject({ type: 'deleted' });
    expect(parse('1.0,proid.myapp#1,finished,3.0')).toMatchObject({ type: 'finished', rc: 3, signal: 0 });
    expect(parse('1.0,proid.myapp#1,aborted,image')).toMatchObject({ type: 'aborted', why: 'image' });
    expect(parse('1.0,proid.myapp#1,killed,oom')).toMatchObject({ type: 'killed', oom: true });
    expect(parse('1.0,proid.myapp#1,killed,')).toMatchObject({ type: 'killed', oom: false });
    expect(parse('1.0,proid.myapp#1,service_running,0000000ID1234.web.server')).toMatchObject({ type: 'service_running', uniqueId: '0000000ID1234', service: 'web.server' });
    const exited = parse('1.0,proid.myapp#1,service_exited,0000000ID1234.web.server.256.9');
    expect(exited).toMatchObject({ type: 'service_exited', service: 'web.server', rc: 256, signal: 9 });
    expect(describeEvent(exited)).toBe('service web.server exited: signal: SIGKILL');
    expect(describeEvent(parse('1.0,proid.myapp#1,finished,3.0'))).toBe('finished: return code: 3');
  });

  it('reports malformed event files', () => {
    expect(parseEventFile('garbage')).toMatchObject({ ok: false, problem: expect.stringContaining('<time>,<instance>') });
    expect(parseEventFile('x,proid.app#1,pending,y')).toMatchObject({ ok: false, problem: '"x" is not a time' });
    expect(parseEventFile('1.0,noinstance,pending,y')).toMatchObject({ ok: false });
    expect(parseEventFile('1.0,proid.app#1,finished,abc')).toMatchObject({ ok: false, problem: 'finished data "abc" is not rc.signal' });
    expect(parseEventFile('1.0,proid.app#1,exploded,1')).toMatchObject({ ok: false, problem: 'unknown event type "exploded"' });
  });
});
