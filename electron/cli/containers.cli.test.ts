import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContainerEventLine, ContainerScan } from '../../shared/contract/index.js';
import { TreadmillRoot } from '../containers/test-support/treadmill-writers.js';

const slipway = join(import.meta.dirname, '..', '..', 'bin', 'slipway.mjs');
const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-tm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('slipway containers on a node root of this host (built CLI)', () => {
  const tm = new TreadmillRoot(join(dir, 'root'));
  const instance = 'proid.web#0000000001';
  const unique = tm.container(TreadmillRoot.uniqueName(instance, 'ymweWiRm86C7A'));
  tm.flag_aborted(unique, 'image', 'docker://nope: not found');
  tm.trace_post('1568000000.5', instance, 'configured', 'ymweWiRm86C7A');
  tm.trace_post('1568000001.0', instance, 'aborted', 'image', 'docker://nope: not found');
  tm.eventmgr_cache('proid.web#0000000002', 'proid: proid\n');
  const exited = tm.container(TreadmillRoot.uniqueName('proid.web#0000000003', '0000000000CCC'));
  tm.running_link('proid.web#0000000003', exited);
  tm.s6_finish_tombstone('running', 'proid.web#0000000003', 1568000002.25, 256, 24);
  const run = (...args: string[]) => spawnSync(process.execPath, [slipway, 'containers', ...args, '--root', tm.root], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('ls --json: each row carries what Treadmill knows (state, reason, exit, signal name, flags, the abort payload)', () => {
    const out = run('ls', '--json');
    expect(out.stderr).toBe('');
    const [scan] = ContainerScan.array().parse(JSON.parse(out.stdout));
    const rows = Object.fromEntries(scan!.rows.map((row) => [row.instance, row]));
    expect(rows[instance]).toMatchObject({ state: 'aborted', reason: 'image', abortedPayload: 'docker://nope: not found', summary: 'aborted: image', unique, placed: false, tombstone: false });
    expect(rows['proid.web#0000000002']).toMatchObject({ state: 'placed', placed: true, unique: null });
    expect(rows['proid.web#0000000003']).toMatchObject({ state: 'exited', tombstone: true, exitCode: 256, signal: 24, signalName: 'SIGXCPU', exitedAt: 1568000002.25, service: null });
  });

  it('trace prints the lines as `treadmill trace` does, word for word', () => {
    const out = run('trace', instance);
    expect(out.stdout).toBe(
      'Mon, 09 Sep 2019 03:33:20+0000 - proid.web#0000000001/ymweWiRm86C7A configured on local\n' +
        'Mon, 09 Sep 2019 03:33:21+0000 - proid.web#0000000001 aborted on local [reason: could not use given image]\n',
    );
    const json = ContainerEventLine.array().parse(JSON.parse(run('trace', instance, '--json').stdout));
    expect(json.at(-1)).toMatchObject({ type: 'aborted', text: 'aborted: image', details: 'docker://nope: not found' });
  });
});
