import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeFinished, decodePlacementBlob, decodeServer, finishedExit } from './cell-decode.js';
import { parseTraceNode, presenceHost, traceShardOf } from './cell-names.js';

describe('cell node names', () => {
  it('finds an instance trace shard as zknamespace.py:_path_trace does', () => {
    expect(traceShardOf('proid.app#0000000042')).toBe('002A');
    expect(traceShardOf('proid.app#0000000256')).toBe('0000');
    expect(traceShardOf('proid.app#9999999999')).toBe((9999999999 % 256).toString(16).toUpperCase().padStart(4, '0'));
    expect(traceShardOf('not-an-instance')).toBeNull();
  });

  it('strips the presence sequence (presence.py:parse_server)', () => {
    expect(presenceHost('host.lab#0000000012')).toBe('host.lab');
    expect(presenceHost('host.lab')).toBe('host.lab');
  });

  it('parses trace node names, with the data decoded by the node reader', () => {
    expect(parseTraceNode('proid.app#0000000001,1700000000.25,s1,service_exited,0000000ABCDEF.web.server.256.9')).toMatchObject({
      ok: true,
      event: { instance: 'proid.app#0000000001', when: 1700000000.25, source: 's1', type: 'service_exited', text: 'service web.server exited: signal: SIGKILL' },
    });
    expect(parseTraceNode('proid.app#0000000001,1,s1,bogus,x')).toEqual({ ok: false, problem: 'unknown event type "bogus"' });
    expect(parseTraceNode('proid.app#0000000001,1,s1,deleted')).toMatchObject({ ok: false });
  });
});

describe('cell node data', () => {
  it('reads server capacity with its units', () => {
    const decoded = decodeServer(Buffer.from('{"cpu": "250%", "disk": "2G", "memory": "512M", "partition": "p", "traits": ["a", 1]}'));
    expect(decoded).toEqual({ ok: true, value: { partition: 'p', parent: null, capacity: { memory: 512, cpu: 250, disk: 2048 }, traits: ['a'] } });
  });

  it('inflates the placement blob and falls back to YAML for older cells', () => {
    const entries = [['proid.a#0000000001', null, null, 's1', 12.5]];
    expect(decodePlacementBlob(deflateSync(Buffer.from(JSON.stringify(entries))))).toEqual({ ok: true, value: entries });
    expect(decodePlacementBlob(Buffer.from('- [proid.a#0000000001, s1, null, s2, null]\n'))).toEqual({ ok: true, value: [['proid.a#0000000001', 's1', null, 's2', null]] });
    expect(decodePlacementBlob(Buffer.from([0x78, 0x9c, 1]))).toMatchObject({ ok: false, problem: expect.stringMatching(/not valid zlib/) });
  });

  it('reads /finished with when as text or number, and an rc above 255 as a signal', () => {
    expect(decodeFinished(Buffer.from('{"data": "265.9", "host": "h", "state": "finished", "when": "12.5"}'))).toEqual({ ok: true, value: { state: 'finished', when: 12.5, host: 'h', data: '265.9' } });
    expect(decodeFinished(Buffer.from('{"data": null, "host": null, "state": "terminated", "when": 3.25}'))).toEqual({ ok: true, value: { state: 'terminated', when: 3.25, host: null, data: null } });
    expect(finishedExit('265.9')).toEqual({ rc: 265, signal: 9 });
    expect(finishedExit('oom')).toBeNull();
  });
});
