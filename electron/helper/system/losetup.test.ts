import { describe, expect, it } from 'vitest';
import type { RunOptions, RunResult, Runner } from '../../process/runner.js';
import { afterEach, vi } from 'vitest';
import { attachLoop, detachLoop, loopDevicesOf, loopsBackedBy, loopsLeft, parseLoopList, type LoopDevice } from './losetup.js';

interface Call {
  file: string;
  args: readonly string[];
  options: RunOptions | undefined;
}

/** A runner that answers from a script, one result per call, and records every argv. */
function scripted(...results: Partial<RunResult>[]): { run: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const run: Runner = async (file, args, options) => {
    calls.push({ file, args, options });
    const next = results[Math.min(calls.length - 1, results.length - 1)]!;
    return { exitCode: 0, stdout: '', stderr: '', ...next };
  };
  return { run, calls };
}

const file = '/srv/ws/builds/b1/root.img';
const list = (devices: { name: string; 'back-file': string | null; autoclear?: boolean | string }[]) => JSON.stringify({ loopdevices: devices });
const dev = (name: string, autoclear = false): LoopDevice => ({ name, autoclear });

describe('parseLoopList', () => {
  it.each<[string, string, LoopDevice[]]>([
    ['empty output (no loop devices at all)', '', []],
    ['whitespace only', '  \n', []],
    ['an empty object', '{}', []],
    ['an empty list', list([]), []],
    ['one matching device', list([{ name: '/dev/loop7', 'back-file': file, autoclear: false }]), [dev('/dev/loop7')]],
    ['a device whose file was deleted', list([{ name: '/dev/loop3', 'back-file': `${file} (deleted)`, autoclear: false }]), [dev('/dev/loop3')]],
    [
      'other files, a prefix of the name and a device with no file',
      list([
        { name: '/dev/loop0', 'back-file': '/var/lib/snapd/snaps/core_1.snap' },
        { name: '/dev/loop1', 'back-file': `${file}.old` },
        { name: '/dev/loop2', 'back-file': null },
        { name: '/dev/loop4', 'back-file': file },
        { name: '/dev/loop5', 'back-file': '/srv/ws/builds/b1/var.img' },
        { name: '/dev/loop6', 'back-file': file },
      ]),
      [dev('/dev/loop4'), dev('/dev/loop6')],
    ],
  ])('%s', (_what, json, devices) => {
    expect(parseLoopList(json, file)).toEqual(devices);
  });

  it.each<[boolean | string | undefined, boolean]>([
    [true, true],
    ['1', true],
    [false, false],
    ['0', false],
    [undefined, false],
  ])('reads autoclear %j (booleans from newer util-linux, strings from older) as %s', (autoclear, expected) => {
    expect(parseLoopList(list([{ name: '/dev/loop7', 'back-file': file, autoclear }]), file)).toEqual([dev('/dev/loop7', expected)]);
  });

  it('reads util-linux output as printed, pretty JSON and all', () => {
    const printed = `{\n   "loopdevices": [\n      {\n         "name": "/dev/loop7",\n         "back-file": "${file}",\n         "autoclear": true\n      }\n   ]\n}\n`;
    expect(parseLoopList(printed, file)).toEqual([dev('/dev/loop7', true)]);
  });

  it('throws on output that is not JSON', () => {
    expect(() => parseLoopList('losetup: oops', file)).toThrow();
  });
});

describe('attachLoop', () => {
  it('attaches with --find --show --nooverlap and returns the device', async () => {
    const { run, calls } = scripted({ stdout: '/dev/loop7\n' });
    await expect(attachLoop(run, file)).resolves.toBe('/dev/loop7');
    expect(calls.map((c) => [c.file, ...c.args])).toEqual([['losetup', '--find', '--show', '--nooverlap', file]]);
  });

  it('retries while the device is busy, then succeeds', async () => {
    const busy = { exitCode: 1, stderr: `losetup: ${file}: failed to set up loop device: Device or resource busy` };
    const { run, calls } = scripted(busy, { exitCode: 1, stderr: 'losetup: Resource temporarily unavailable' }, { stdout: '/dev/loop9' });
    await expect(attachLoop(run, file)).resolves.toBe('/dev/loop9');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.args.join(' ')))).toEqual(new Set([`--find --show --nooverlap ${file}`]));
  });

  it('gives up after five busy attempts with what losetup said', async () => {
    const { run, calls } = scripted({ exitCode: 1, stderr: 'losetup: failed to set up loop device: Device or resource busy' });
    await expect(attachLoop(run, file)).rejects.toThrow('losetup --find --show failed (exit code 1): losetup: failed to set up loop device: Device or resource busy');
    expect(calls).toHaveLength(5);
  });

  it('does not retry a hard failure', async () => {
    const { run, calls } = scripted({ exitCode: 1, stderr: `losetup: ${file}: failed to set up loop device: No such file or directory\n` });
    await expect(attachLoop(run, file)).rejects.toThrow(`losetup --find --show failed (exit code 1): losetup: ${file}: failed to set up loop device: No such file or directory`);
    expect(calls).toHaveLength(1);
  });

  it('names why losetup did not run at all', async () => {
    const { run } = scripted({ exitCode: null, error: 'spawn losetup ENOENT' });
    await expect(attachLoop(run, file)).rejects.toThrow('losetup --find --show failed (spawn losetup ENOENT)');
  });
});

describe('loopDevicesOf and loopsBackedBy', () => {
  const listing = list([
    { name: '/dev/loop1', 'back-file': '/other.img', autoclear: false },
    { name: '/dev/loop2', 'back-file': file, autoclear: true },
  ]);

  it('ask for the JSON listing quietly and keep the devices of the file', async () => {
    const { run, calls } = scripted({ stdout: listing });
    await expect(loopDevicesOf(run, file)).resolves.toEqual([dev('/dev/loop2', true)]);
    await expect(loopsBackedBy(run, file)).resolves.toEqual(['/dev/loop2']);
    const query = { file: 'losetup', args: ['--json', '--list', '--output', 'NAME,BACK-FILE,AUTOCLEAR'], options: { quiet: true } };
    expect(calls).toEqual([query, query]);
  });

  it('are empty when losetup prints nothing (no devices in use)', async () => {
    const { run } = scripted({ stdout: '' });
    await expect(loopsBackedBy(run, file)).resolves.toEqual([]);
  });

  it('throw when the listing fails', async () => {
    const { run } = scripted({ exitCode: 1, stderr: 'losetup: cannot open /dev/loop-control: Permission denied' });
    await expect(loopsBackedBy(run, file)).rejects.toThrow('losetup --list failed (exit code 1): losetup: cannot open /dev/loop-control: Permission denied');
  });
});

describe('loopsLeft', () => {
  afterEach(() => vi.useRealTimers());

  const withAutoclear = list([{ name: '/dev/loop7', 'back-file': file, autoclear: true }]);
  const plain = list([{ name: '/dev/loop7', 'back-file': file, autoclear: false }]);

  it('answers at once when no device is waiting for autoclear', async () => {
    const { run, calls } = scripted({ stdout: plain });
    await expect(loopsLeft(run, file)).resolves.toEqual(['/dev/loop7']);
    expect(calls).toHaveLength(1);
    const none = scripted({ stdout: '' });
    await expect(loopsLeft(none.run, file)).resolves.toEqual([]);
    expect(none.calls).toHaveLength(1);
  });

  it('asks again while an autoclear device is still there, until the kernel has freed it', async () => {
    const { run, calls } = scripted({ stdout: withAutoclear }, { stdout: withAutoclear }, { stdout: list([]) });
    await expect(loopsLeft(run, file)).resolves.toEqual([]);
    expect(calls).toHaveLength(3);
  });

  it('gives up after waitMs and reports what is left', async () => {
    vi.useFakeTimers();
    const { run, calls } = scripted({ stdout: withAutoclear });
    const left = loopsLeft(run, file, 500);
    await vi.advanceTimersByTimeAsync(500);
    await expect(left).resolves.toEqual(['/dev/loop7']);
    expect(calls).toHaveLength(1 + 5);
  });
});

describe('detachLoop', () => {
  it('runs losetup --detach on the device', async () => {
    const { run, calls } = scripted({});
    await detachLoop(run, '/dev/loop7');
    expect(calls.map((c) => [c.file, ...c.args])).toEqual([['losetup', '--detach', '/dev/loop7']]);
  });

  it('throws with the device and what losetup said', async () => {
    const { run } = scripted({ exitCode: 1, stderr: 'losetup: /dev/loop7: detach failed: No such device or address' });
    await expect(detachLoop(run, '/dev/loop7')).rejects.toThrow('losetup --detach /dev/loop7 failed (exit code 1): losetup: /dev/loop7: detach failed: No such device or address');
  });
});
