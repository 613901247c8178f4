import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSshConfig, sshConfigMaxBytes, sshConfigProblemText } from './ssh-config-file.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-ssh-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The refusal as the operator reads it: one line, on the path field, no errno code in it. */
async function refusal(path: string, maxBytes?: number): Promise<{ code: string; field: string; message: string }> {
  const error = await readSshConfig(path, maxBytes).then(
    () => null,
    (e: unknown) => e as { code: string; field: string; message: string },
  );
  expect(error).not.toBeNull();
  expect(error!.message).not.toMatch(/\n|\bE[A-Z]{3,}\b/);
  return { code: error!.code, field: error!.field, message: error!.message };
}

describe('reading ~/.ssh/config for the import', () => {
  it('reads a config', async () => {
    writeFileSync(join(dir, 'config'), 'Host a\n');
    expect(await readSshConfig(join(dir, 'config'))).toBe('Host a\n');
  });

  it('a missing file is "no file at <path>", on the path field', async () => {
    const path = join(dir, 'nothing', 'config');
    expect(await refusal(path)).toEqual({ code: 'bad_request', field: 'path', message: `no file at ${path}` });
  });

  it('a path through a regular file is no file either, with why', async () => {
    writeFileSync(join(dir, 'plain'), '');
    expect((await refusal(join(dir, 'plain', 'config'))).message).toBe(`no file at ${join(dir, 'plain', 'config')}: a part of its path is not a directory`);
  });

  it('a directory, a FIFO with no writer and a device are not regular files, refused at once', async () => {
    mkdirSync(join(dir, 'a-dir'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const started = Date.now();
    expect((await refusal(join(dir, 'a-dir'))).message).toBe(`${join(dir, 'a-dir')} is a directory, not a regular file`);
    expect((await refusal(join(dir, 'fifo'))).message).toBe(`${join(dir, 'fifo')} is a FIFO, not a regular file`);
    expect((await refusal('/dev/zero')).message).toBe('/dev/zero is a character device, not a regular file');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a file over the cap is refused unread, the cap in KiB', async () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(3 * 1024));
    expect((await refusal(join(dir, 'big'), 2 * 1024)).message).toBe(`${join(dir, 'big')} is larger than 2 KiB: not read`);
    expect(sshConfigMaxBytes).toBe(1024 * 1024);
  });

  it('words every problem the file reader reports in one line', () => {
    // Root reads a mode-000 file, so permission denied is checked on the mapping itself.
    expect(sshConfigProblemText('/home/op/.ssh/config', { kind: 'denied' })).toBe('permission denied: /home/op/.ssh/config cannot be read by this user');
    expect(sshConfigProblemText('/x', { kind: 'unreadable', code: 'EIO', message: "EIO: i/o error, open '/x'" })).toBe('/x cannot be read: i/o error');
    expect(sshConfigProblemText('/x', { kind: 'unreadable', code: 'ELOOP', message: "ELOOP: too many symbolic links encountered, open '/x'" })).toBe('/x cannot be read: too many symbolic links');
    expect(sshConfigProblemText('/x', { kind: 'unreadable', code: undefined, message: 'something odd' })).toBe('/x cannot be read: something odd');
    expect(sshConfigProblemText('/x', { kind: 'too-large', maxBytes: 1024 * 1024 })).toBe('/x is larger than 1024 KiB: not read');
  });
});
