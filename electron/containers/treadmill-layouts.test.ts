import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerRow } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { execaRunner } from '../process/runner.js';
import { createContainerService } from './container-service.js';
import { TreadmillRoot } from './test-support/treadmill-writers.js';
import { signalName } from './trace-events.js';

/**
 * Node roots as Treadmill writes them (test-support/treadmill-writers.ts, one
 * writer per Treadmill function), read by the real scan script in a local sh
 * and turned into rows and trace lines by the service: one describe per way
 * Slipway once read a layout differently from Treadmill.
 */
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function nodeRoot(): TreadmillRoot {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-tm-layout-'));
  dirs.push(dir);
  return new TreadmillRoot(join(dir, 'root'));
}

async function scan(tm: TreadmillRoot) {
  const service = createContainerService({ bus: new EventBus(), run: execaRunner, pollMs: 600_000, nodes: { specs: () => [], access: () => { throw new Error('local only'); } } });
  const result = await service.scanLocal(tm.root);
  const row = (instance: string): ContainerRow => {
    const found = result.rows.find((r) => r.instance === instance);
    if (!found) throw new Error(`no row for ${instance} (${result.problems.join('; ')})`);
    return found;
  };
  return { ...result, row, trace: (instance: string) => service.trace('local', instance) };
}

const u = TreadmillRoot.uniqueName;

describe('1. names: what Treadmill\u2019s schema accepts (etc/schema/common.json), both ways', () => {
  it('lists containers whose proid has upper case, _ and -, and the user@proid.app form, with their events', async () => {
    const tm = nodeRoot();
    const names = ['Proid_X-1.web#0000000001', 'foo@bar.baz#0000000123', 'app_run-foo@a-b.bar#1234567890'];
    for (const instance of names) {
      const unique = tm.container(u(instance, 'ymweWiRm86C7A'));
      tm.running_link(instance, unique);
      tm.trace_post('1568000000.25', instance, 'configured', 'ymweWiRm86C7A');
    }
    const result = await scan(tm);
    expect(result.problems).toEqual([]);
    expect(names.map((n) => [result.row(n).state, result.row(n).unique, result.row(n).proid])).toEqual([
      ['running', 'Proid_X-1.web-0000000001-ymweWiRm86C7A', 'Proid_X-1'],
      // scheduler/loader.py:_alloc_key: the allocation of user@proid.app is the part after '@'.
      ['running', 'foo@bar.baz-0000000123-ymweWiRm86C7A', 'bar'],
      ['running', 'app_run-foo@a-b.bar-1234567890-ymweWiRm86C7A', 'a-b'],
    ]);
    expect(result.trace('foo@bar.baz#0000000123').map((e) => e.trace)).toEqual(['foo@bar.baz#0000000123/ymweWiRm86C7A configured on local']);
  });
});

describe('2. empty marker files (runtime/linux/_finish.py: json.load fails, the defaults apply)', () => {
  it('an empty data/aborted is aborted, reason unknown; an empty data/exitinfo is finished with signal 256', async () => {
    const tm = nodeRoot();
    const aborted = tm.container(u('proid.a#0000000001', '0000000000AAA'));
    tm.raw_aborted(aborted, '');
    const exited = tm.container(u('proid.b#0000000002', '0000000000BBB'));
    tm.running_link('proid.b#0000000002', exited);
    tm.MonitorContainerDown_exitinfo_opened(exited);
    const result = await scan(tm);
    expect(result.row('proid.a#0000000001')).toMatchObject({ state: 'aborted', reason: 'unknown', summary: 'aborted: unknown', abortedPayload: null });
    expect(result.row('proid.b#0000000002')).toMatchObject({ state: 'finished', exitCode: 256, signal: 256, summary: 'signal: 256' });
  });
});

describe('3. aborted reasons (appcfg/abort.py: JSON, anything else is ABORTED_UNKNOWN)', () => {
  it('flag_aborted\u2019s JSON gives reason and payload; plain text is unknown; JSON without why has none', async () => {
    const tm = nodeRoot();
    tm.flag_aborted(tm.container(u('proid.a#0000000001', '0000000000AAA')), 'image', 'docker://nope: not found');
    tm.raw_aborted(tm.container(u('proid.b#0000000002', '0000000000BBB')), 'image');
    tm.raw_aborted(tm.container(u('proid.c#0000000003', '0000000000CCC')), '{"payload": "pid1 exited"}');
    const result = await scan(tm);
    expect(result.row('proid.a#0000000001')).toMatchObject({ state: 'aborted', reason: 'image', abortedPayload: 'docker://nope: not found', summary: 'aborted: image' });
    expect(result.row('proid.b#0000000002')).toMatchObject({ state: 'aborted', reason: 'unknown', abortedPayload: null, summary: 'aborted: unknown' });
    expect(result.row('proid.c#0000000003')).toMatchObject({ state: 'aborted', reason: null, abortedPayload: 'pid1 exited', summary: 'aborted: unknown' });
  });
});

describe('4. defaults and signal names (_finish.py:_post_exit_event, utils.signal2name)', () => {
  it('a missing signal or return code is 256; a signal is named from the whole table', async () => {
    const tm = nodeRoot();
    tm.raw_exitinfo(tm.container(u('proid.a#0000000001', '0000000000AAA')), { service: 'web', return_code: 256 });
    tm.MonitorContainerDown_exitinfo(tm.container(u('proid.b#0000000002', '0000000000BBB')), { service: 'web', return_code: 256, signal: 24, timestamp: 1568000000.123 });
    tm.raw_exitinfo(tm.container(u('proid.c#0000000003', '0000000000CCC')), { service: 'web', signal: 0 });
    const result = await scan(tm);
    expect(result.row('proid.a#0000000001')).toMatchObject({ exitCode: 256, signal: 256, summary: 'signal: 256' });
    expect(result.row('proid.b#0000000002')).toMatchObject({ exitCode: 256, signal: 24, signalName: 'SIGXCPU', summary: 'signal: SIGXCPU', service: 'web', exitedAt: 1568000000.123 });
    expect(result.row('proid.c#0000000003')).toMatchObject({ exitCode: 256, summary: 'signal: 0' });
    // Linux x86_64, as Python's signal module names them (the primary name where there are aliases).
    expect(Array.from({ length: 31 }, (_, i) => signalName(i + 1))).toEqual([
      'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT',
      'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
    ]);
  });
});

describe('5. the 2016-2017 layout (presence.py:exit_app YAML, appmgr/abort.py plain text)', () => {
  it('reads the top-level exitinfo as YAML (rc, sig, killed, oom) and the top-level aborted as text', async () => {
    const tm = nodeRoot();
    const exit = { hostname: 'node1', killed: false, oom: false, output: 'bye', rc: 3, service: 'web', sig: 0, time: 1474600000.5 };
    const finished = tm.container(u('proid.a#0000000001', '0000000000AAA'));
    tm.ServicePresence_exit_app(finished, exit);
    tm.old_app_yml(finished, 'proid: proid\nenvironment: qa\nmemory: 1G\ncpu: 50%\ndisk: 2G\nservices:\n  - name: web\n');
    tm.ServicePresence_exit_app(tm.container(u('proid.b#0000000002', '0000000000BBB')), { ...exit, rc: 256, sig: 9 });
    tm.ServicePresence_exit_app(tm.container(u('proid.c#0000000003', '0000000000CCC')), { ...exit, killed: true, oom: true });
    tm.old_flag_aborted(tm.container(u('proid.d#0000000004', '0000000000DDD')), 'Unable to fetch image');
    const result = await scan(tm);
    expect(result.problems).toEqual([]);
    expect(result.row('proid.a#0000000001')).toMatchObject({ state: 'finished', summary: 'return code: 3', exitCode: 3, service: 'web', exitedAt: 1474600000.5, environment: 'qa', services: ['web'] });
    expect(result.row('proid.b#0000000002')).toMatchObject({ state: 'finished', summary: 'signal: SIGKILL', signalName: 'SIGKILL' });
    expect(result.row('proid.c#0000000003')).toMatchObject({ state: 'killed', summary: 'out of memory' });
    // The old finish posted an abort with no reason and the text as its payload.
    expect(result.row('proid.d#0000000004')).toMatchObject({ state: 'aborted', reason: null, summary: 'aborted: unknown', abortedPayload: 'Unable to fetch image' });
  });
});

describe('6. the node directories beside apps/ (monitor, eventmgr, cleanup, archives)', () => {
  it('shows tombstones, placed instances, cleaning, archives, state.json and what event files hold', async () => {
    const tm = nodeRoot();
    // Exited: s6.finish wrote the tombstone, the monitor has not moved the running link yet.
    const exited = tm.container(u('proid.a#0000000001', '0000000000AAA'));
    tm.running_link('proid.a#0000000001', exited);
    tm.s6_finish_tombstone('running', 'proid.a#0000000001', 1568000000.123, 256, 9);
    // A service past its restart limit: the container goes down next.
    const goingDown = tm.container(u('proid.b#0000000002', '0000000000BBB'));
    tm.running_link('proid.b#0000000002', goingDown);
    tm.s6_finish_tombstone('services', `${goingDown},web_server`, 1568000001.5, 3, 0);
    tm.save_app(goingDown, { proid: 'proid', environment: 'prod', memory: '100M', cpu: '10%', disk: '1G', services: [{ name: 'web_server', command: 'x' }], endpoints: [{ name: 'http', port: 8000, real_port: 41234 }] });
    // Placed: in cache/, not configured yet.
    tm.eventmgr_cache('proid.c#0000000003', 'proid: proid\nmemory: 100M\n');
    // Cleaning: its cleanup service runs now.
    const cleaning = tm.container(u('proid.d#0000000004', '0000000000DDD'));
    tm.MonitorContainerDown_exitinfo(cleaning, { service: 'web', return_code: 0, signal: 0, timestamp: 1568000002 });
    tm.cleanup_link('proid.d#0000000004', cleaning);
    tm.add_cleanup_app('proid.d#0000000004');
    // Archived and removed: finish archived its logs, then removed the directory.
    tm.archive_logs(u('proid.e#0000000005', '0000000000EEE'));
    tm.trace_post('1568000003.0', 'proid.e#0000000005', 'finished', '0.0', '{return_code: 0, service: web, signal: 0, timestamp: 1568000003.0}\n');
    const result = await scan(tm);
    expect(result.problems).toEqual([]);
    expect(result.row('proid.a#0000000001')).toMatchObject({ state: 'exited', tombstone: true, exitCode: 256, signal: 9, signalName: 'SIGKILL', summary: 'exited, not yet processed: signal: SIGKILL', exitedAt: 1568000000.123 });
    expect(result.row('proid.b#0000000002')).toMatchObject({ state: 'running', tombstone: true, service: 'web_server', exitCode: 3, summary: 'going down: service web_server return code: 3', environment: 'prod', services: ['web_server'] });
    expect(result.row('proid.c#0000000003')).toMatchObject({ state: 'placed', placed: true, unique: null, summary: 'placed, not configured yet' });
    expect(result.row('proid.d#0000000004')).toMatchObject({ state: 'finished', cleanupPending: true, cleaning: true });
    expect(result.row('proid.e#0000000005')).toMatchObject({ state: 'archived', archived: true, unique: 'proid.e-0000000005-0000000000EEE' });
    expect(result.trace('proid.e#0000000005')).toEqual([expect.objectContaining({ type: 'finished', details: '{return_code: 0, service: web, signal: 0, timestamp: 1568000003.0}' })]);
  });
});

describe('7. events: Treadmill\u2019s order, its temp files, its words (trace/_zk.py, events_publisher.py, trace/app/printer.py)', () => {
  it('orders events of one moment by type name, skips dot files, and words each line as treadmill trace does', async () => {
    const tm = nodeRoot();
    const instance = 'proid.web#0000000001';
    const unique = tm.container(u(instance, 'ymweWiRm86C7A'));
    tm.MonitorContainerDown_exitinfo(unique, { service: 'web', return_code: 256, signal: 9, timestamp: 1568000010 });
    tm.trace_post('1568000000.5', instance, 'scheduled', 'node1:schedule');
    tm.trace_post('1568000001.0', instance, 'configured', 'ymweWiRm86C7A');
    tm.trace_post('1568000002.0', instance, 'service_running', 'ymweWiRm86C7A.web');
    // One moment, three events: Treadmill sorts them by type name (service_exited after killed, finished first).
    tm.trace_post('1568000010.0', instance, 'service_exited', 'ymweWiRm86C7A.web.256.9');
    tm.trace_post('1568000010.0', instance, 'killed', '');
    tm.trace_post('1568000010.0', instance, 'finished', '256.9');
    tm.trace_post('1568000011.0', instance, 'aborted', 'pid1');
    tm.trace_post('1568000012.0', instance, 'aborted', 'no_such_reason');
    tm.trace_post('1568000013.0', instance, 'service_exited', 'ymweWiRm86C7A.web.3.0', '', { temp: true });
    const result = await scan(tm);
    expect(result.problems).toEqual([]);
    expect(result.trace(instance).map((e) => e.trace)).toEqual([
      'proid.web#0000000001 scheduled on node1: schedule',
      'proid.web#0000000001/ymweWiRm86C7A configured on local',
      'proid.web#0000000001/ymweWiRm86C7A/service/web running',
      'proid.web#0000000001 finished on local',
      'proid.web#0000000001 killed',
      'proid.web#0000000001/ymweWiRm86C7A/service/web killed, signal: SIGKILL',
      'proid.web#0000000001 aborted on local [reason: pid1 failed to start]',
      'proid.web#0000000001 aborted on local [reason: unknown]',
    ]);
  });
});
