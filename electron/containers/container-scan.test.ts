import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScan, scanScript } from './container-scan.js';

/** A node root laid out as Treadmill's tests lay it out, one container per case. */
function layout(root: string): void {
  for (const dir of ['apps', 'running', 'cleanup', 'cache', 'appevents', 'archives', 'tombstones']) mkdirSync(join(root, dir), { recursive: true });
  const app = (unique: string, files: Record<string, string> = {}) => {
    mkdirSync(join(root, 'apps', unique, 'data'), { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(root, 'apps', unique, name), content);
  };
  const manifest = JSON.stringify({ proid: 'proid', environment: 'dev', cpu: '100%', memory: '100M', disk: '1G', services: [{ name: 'web_server', command: '/bin/sleep 1000' }], environ: [{ name: 'RACK', value: '4' }] });
  app('proid.myapp-001-0000000ID1234', { 'data/app.json': manifest, 'data/oom': '' });
  app('proid.myapp-0-00000000AAAAA', { 'data/app.json': manifest, 'data/exitinfo': '{"service": "web_server", "return_code": 3, "signal": 0, "timestamp": 1477604218.5}' });
  app('proid.myapp-2-00000000BBBBB', { 'data/app.json': manifest, down: '' });
  app('proid.myapp-3-00000000CCCCC', { 'data/app.json': manifest });
  app('proid.myapp-4-00000000DDDDD', { 'data/app.json': manifest, 'data/terminated': '', 'data/exitinfo': '{"service": "web_server", "return_code": 0, "signal": 0}' });
  app('proid.myapp-5-00000000EEEEE', { 'data/app.json': manifest, 'data/aborted': '{"why": "image", "payload": "no such image"}' });
  // The old layout (2016-2017): app.yml and exitinfo at the top, the exit as presence.py's yaml.dump wrote it.
  app('proid.oldapp-6-00000000FFFFF', { 'app.yml': 'proid: proid\nenvironment: qa\nmemory: 1G\ncpu: 50%\ndisk: 2G\nservices:\n  - name: worker\n', exitinfo: '{hostname: node1, killed: false, oom: false, output: bye, rc: 256, service: worker, sig: 9, time: 1474600000.5}\n' });
  app('proid.myapp-7-00000000GGGGG', { 'data/app.json': manifest, 'data/exitinfo': '{broken' });
  app('not-a-container');
  symlinkSync('../apps/proid.myapp-3-00000000CCCCC', join(root, 'running', 'proid.myapp#3'));
  symlinkSync('../apps/proid.myapp-0-00000000AAAAA', join(root, 'cleanup', 'proid.myapp-0-00000000AAAAA'));
  symlinkSync('../apps/proid.myapp-4-00000000DDDDD', join(root, 'cleanup', 'proid.myapp#4'));
  for (const event of ['1477604218.10,proid.myapp#0,configured,00000000AAAAA', '1477604218.20,proid.myapp#0,service_running,00000000AAAAA.web_server', '1477604218.50,proid.myapp#0,service_exited,00000000AAAAA.web_server.3.0', '1477604218.60,proid.myapp#0,finished,3.0', '1477604218.70,proid.myapp#001,killed,oom', 'bogus-event']) {
    writeFileSync(join(root, 'appevents', event), '');
  }
}

describe('scanning a Treadmill node root (local sh)', () => {
  let dir = '';
  let root = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-tm-'));
    root = join(dir, 'node');
    layout(root);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const scan = (since = 0) => parseScan(execFileSync('sh', ['-c', scanScript(root, since)], { encoding: 'utf8', maxBuffer: 64 << 20 }));

  it('gives every container its state, in Treadmill\'s words', () => {
    const result = scan();
    const states = Object.fromEntries(result.containers.map((c) => [c.name.unique, [c.status.state, c.status.summary, c.status.cleanupPending]]));
    expect(states).toEqual({
      'proid.myapp-001-0000000ID1234': ['killed', 'out of memory', false],
      'proid.myapp-0-00000000AAAAA': ['finished', 'return code: 3', true],
      'proid.myapp-2-00000000BBBBB': ['configured', 'configured', false],
      'proid.myapp-3-00000000CCCCC': ['running', 'running', false],
      'proid.myapp-4-00000000DDDDD': ['terminated', 'terminated', true],
      'proid.myapp-5-00000000EEEEE': ['aborted', 'aborted: image', false],
      'proid.oldapp-6-00000000FFFFF': ['finished', 'signal: SIGKILL', false],
      'proid.myapp-7-00000000GGGGG': ['finished', 'signal: 256', false],
    });
    const running = result.containers.find((c) => c.name.instance === 'proid.myapp#3')!;
    expect(running.manifest).toEqual({ proid: 'proid', environment: 'dev', memory: '100M', cpu: '100%', disk: '1G', services: ['web_server'], environ: { RACK: '4' }, image: null });
    expect(result.containers.find((c) => c.name.unique === 'proid.oldapp-6-00000000FFFFF')!.manifest).toMatchObject({ environment: 'qa', services: ['worker'] });
    expect(result.containers.find((c) => c.name.unique === 'proid.myapp-2-00000000BBBBB')!.down).toBe(true);
  });

  it('reads events in time order and reports what is malformed', () => {
    const result = scan();
    expect(result.events.map((e) => e.type)).toEqual(['configured', 'service_running', 'service_exited', 'finished', 'killed']);
    expect(result.problems).toHaveLength(3);
    expect(result.problems).toEqual(expect.arrayContaining([
      'apps/not-a-container: not a container name (proid.app-<instance>-<13-char id>, as Treadmill\u2019s schema allows)',
      expect.stringMatching(/^apps\/proid\.myapp-7-00000000GGGGG: exitinfo is not valid JSON/),
      'appevents/bogus-event: an event file name is <time>,<instance>,<type>,<data>',
    ]));
  });

  it('after a scan, only what changed since comes again', () => {
    const first = scan();
    const later = join(root, 'appevents', '1477604300.00,proid.myapp#2,pending,no_capacity');
    writeFileSync(later, '');
    utimesSync(later, new Date(Date.now() + 5_000), new Date(Date.now() + 5_000));
    const again = scan(first.now);
    expect(again.events.map((e) => e.file)).toEqual(['1477604300.00,proid.myapp#2,pending,no_capacity']);
    expect(again.containers.every((c) => c.manifest === null)).toBe(true);
    expect(again.containers).toHaveLength(8);
  });

  it('says what is missing instead of failing', () => {
    expect(parseScan(execFileSync('sh', ['-c', scanScript(join(dir, 'nowhere'), 0)], { encoding: 'utf8' })).error).toMatch(/cannot open/);
  });
});
