import { describe, expect, it } from 'vitest';
import { ImageSpec } from '../../../shared/contract/index.js';
import type { RunResult, Runner } from '../../process/runner.js';
import { finishAndShrink, makeFs, mkfsArgs, parseFsBytes } from './ext-fs.js';

type ImageFs = ImageSpec['images'][number];

const fs = (overrides: Partial<ImageFs> = {}): ImageFs => ({ name: 'root', size: 1 << 30, fsType: 'ext4', options: [], mountPoint: '/', ...overrides });

const dumpe2fs = `Filesystem volume name:   root
Last mounted on:          <not available>
Filesystem UUID:          3f1c2a9e-6a0b-4b35-9f0e-5f7b1d2c4e11
Filesystem magic number:  0xEF53
Filesystem revision #:    1 (dynamic)
Filesystem features:      has_journal ext_attr resize_inode dir_index filetype extent 64bit flex_bg sparse_super large_file huge_file dir_nlink extra_isize metadata_csum
Default mount options:    user_xattr acl
Filesystem state:         clean
Inode count:              65536
Block count:              97341
Reserved block count:     4867
Overhead clusters:        12562
Free blocks:              1893
Free inodes:              41202
First block:              0
Block size:               4096
Fragment size:            4096
Group descriptor size:    64
Blocks per group:         32768
Journal size:             16M
`;

describe('mkfsArgs', () => {
  it.each<[string, Partial<ImageFs>, string, string[]]>([
    ['ext4, journal off, no label', {}, '/dev/loop7', ['-F', '-q', '-t', 'ext4', '-O', '^has_journal', '-E', 'nodiscard', '/dev/loop7']],
    ['ext3 with a label', { fsType: 'ext3', label: 'root' }, '/dev/loop0', ['-F', '-q', '-t', 'ext3', '-O', '^has_journal', '-L', 'root', '-E', 'nodiscard', '/dev/loop0']],
    ['ext2 has no journal to turn off', { fsType: 'ext2', label: 'boot' }, '/dev/loop1', ['-F', '-q', '-t', 'ext2', '-L', 'boot', '-E', 'nodiscard', '/dev/loop1']],
    ['an empty label is left out', { label: '' }, '/dev/loop2', ['-F', '-q', '-t', 'ext4', '-O', '^has_journal', '-E', 'nodiscard', '/dev/loop2']],
    [
      'options are separate arguments, before the device',
      { options: ['-m', '1', '-i', '16384', '-O', '^metadata_csum'] },
      '/dev/loop3',
      ['-F', '-q', '-t', 'ext4', '-O', '^has_journal', '-E', 'nodiscard', '-m', '1', '-i', '16384', '-O', '^metadata_csum', '/dev/loop3'],
    ],
  ])('%s', (_what, overrides, device, args) => {
    const result = mkfsArgs(fs(overrides), device);
    expect(result).toEqual(args);
    expect(result.at(-1)).toBe(device);
  });

  it('never mixes an option and its value into one argument', () => {
    for (const arg of mkfsArgs(fs({ label: 'root', options: ['-m', '1'] }), '/dev/loop7')) expect(arg).not.toMatch(/\s/);
  });
});

describe('makeFs', () => {
  it('runs mkfs with the arguments, and throws with what it said on failure', async () => {
    const calls: string[][] = [];
    const answers: RunResult[] = [
      { exitCode: 0, stdout: '', stderr: '' },
      { exitCode: 1, stdout: '', stderr: 'mke2fs: Device size reported to be zero.' },
    ];
    const run: Runner = async (file, args) => {
      calls.push([file, ...args]);
      return answers[calls.length - 1]!;
    };
    await makeFs(run, fs(), '/dev/loop7');
    expect(calls[0]).toEqual(['mkfs', ...mkfsArgs(fs(), '/dev/loop7')]);
    await expect(makeFs(run, fs({ fsType: 'ext3' }), '/dev/loop7')).rejects.toThrow('mkfs -t ext3 failed (exit code 1): mke2fs: Device size reported to be zero.');
  });
});

describe('parseFsBytes', () => {
  it('multiplies the block count by the block size (not the reserved block count)', () => {
    expect(parseFsBytes(dumpe2fs)).toBe(97341 * 4096);
  });

  it.each([
    ['no block count', dumpe2fs.replace(/^Block count:.*$/m, ''), /no "Block count"/],
    ['no block size', dumpe2fs.replace(/^Block size:.*$/m, ''), /no "Block size"/],
    ['nothing at all', '', /no "Block count"/],
    ['an error message', 'dumpe2fs: Bad magic number in super-block while trying to open root.img', /no "Block count"/],
  ])('throws on output with %s', (_what, text, message) => {
    expect(() => parseFsBytes(text)).toThrow(message);
  });
});

describe('finishAndShrink', () => {
  type Answers = Partial<Record<'tune2fs' | 'e2fsck' | 'resize2fs' | 'dumpe2fs', Partial<RunResult>>>;

  function runner(answers: Answers = {}) {
    const calls: string[][] = [];
    const defaults: Record<string, RunResult> = {
      tune2fs: { exitCode: 0, stdout: 'tune2fs 1.47.0 (5-Feb-2023)\nCreating journal inode: done\n', stderr: '' },
      e2fsck: { exitCode: 0, stdout: 'root: 11/65536 files (0.0% non-contiguous), 12345/262144 blocks\n', stderr: '' },
      resize2fs: { exitCode: 0, stdout: 'Resizing the filesystem on /w/root.img to 97341 (4k) blocks.\nThe filesystem on /w/root.img is now 97341 (4k) blocks long.\n\n', stderr: '' },
      dumpe2fs: { exitCode: 0, stdout: dumpe2fs, stderr: 'dumpe2fs 1.47.0 (5-Feb-2023)\n' },
    };
    const run: Runner = async (file, args) => {
      calls.push([file, ...args]);
      return { ...defaults[file]!, ...answers[file as keyof Answers] };
    };
    return { run, calls };
  }

  const file = '/w/b1/root.img';

  it('journal back on, check, shrink, then measure, in that order', async () => {
    const { run, calls } = runner();
    const log: string[] = [];
    await expect(finishAndShrink(run, 'ext4', file, (line) => log.push(line))).resolves.toBe(97341 * 4096);
    expect(calls).toEqual([
      ['tune2fs', '-O', 'has_journal', file],
      ['e2fsck', '-f', '-y', file],
      ['resize2fs', '-M', file],
      ['dumpe2fs', '-h', file],
    ]);
    expect(log).toEqual(['The filesystem on /w/root.img is now 97341 (4k) blocks long.']);
  });

  it('ext2 gets no journal', async () => {
    const { run, calls } = runner();
    await finishAndShrink(run, 'ext2', file, () => {});
    expect(calls.map((c) => c[0])).toEqual(['e2fsck', 'resize2fs', 'dumpe2fs']);
  });

  it('accepts e2fsck exit 1 (errors corrected)', async () => {
    const { run, calls } = runner({ e2fsck: { exitCode: 1 } });
    await expect(finishAndShrink(run, 'ext3', file, () => {})).resolves.toBe(97341 * 4096);
    expect(calls.map((c) => c[0])).toEqual(['tune2fs', 'e2fsck', 'resize2fs', 'dumpe2fs']);
  });

  it.each([2, 4, 8])('rejects e2fsck exit %i and goes no further', async (code) => {
    const { run, calls } = runner({ e2fsck: { exitCode: code, stdout: 'root: ********** WARNING: Filesystem still has errors **********\n' } });
    await expect(finishAndShrink(run, 'ext4', file, () => {})).rejects.toThrow(`e2fsck -f -y failed (exit code ${code}): root: ********** WARNING: Filesystem still has errors **********`);
    expect(calls.map((c) => c[0])).toEqual(['tune2fs', 'e2fsck']);
  });

  it.each([
    ['tune2fs', 'tune2fs -O has_journal failed (exit code 1): tune2fs: Bad magic number'],
    ['resize2fs', 'resize2fs -M failed (exit code 1): tune2fs: Bad magic number'],
    ['dumpe2fs', 'dumpe2fs -h failed (exit code 1): tune2fs: Bad magic number'],
  ] as const)('a failing %s stops with its error', async (tool, message) => {
    const { run, calls } = runner({ [tool]: { exitCode: 1, stdout: '', stderr: 'tune2fs: Bad magic number' } });
    await expect(finishAndShrink(run, 'ext4', file, () => {})).rejects.toThrow(message);
    expect(calls.at(-1)?.[0]).toBe(tool);
  });

  // Regression (a bug once): with nothing on resize2fs's stdout the fallback 'resized' is never used; an empty line is logged.
  it('logs "resized" when resize2fs prints nothing on stdout', async () => {
    const { run } = runner({ resize2fs: { stdout: '', stderr: 'resize2fs 1.47.0 (5-Feb-2023)\nThe filesystem is already 97341 (4k) blocks long.  Nothing to do!\n' } });
    const log: string[] = [];
    await finishAndShrink(run, 'ext4', file, (line) => log.push(line));
    expect(log).toEqual(['resized']);
  });
});
