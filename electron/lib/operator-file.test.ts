import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOperatorFile, readOperatorText } from './operator-file.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-operator-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files the operator names', () => {
  it('reads a regular file', async () => {
    writeFileSync(join(dir, 'spec.yaml'), 'name: a\n');
    expect(await readOperatorText(join(dir, 'spec.yaml'), { maxBytes: 100 })).toBe('name: a\n');
  });

  it('finding 11: a FIFO with no writer, /dev/zero and a directory are refused at once, never read', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const started = Date.now();
    await expect(readOperatorFile(join(dir, 'fifo'), { maxBytes: 100, field: 'identity' })).rejects.toMatchObject({ code: 'bad_request', field: 'identity', message: `${join(dir, 'fifo')}: is a FIFO, not a regular file` });
    await expect(readOperatorFile('/dev/zero', { maxBytes: 100 })).rejects.toThrow('/dev/zero: is a character device, not a regular file');
    await expect(readOperatorFile(dir, { maxBytes: 100 })).rejects.toThrow('is a directory, not a regular file');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses a file over the size cap and one that does not exist, naming it', async () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(101));
    await expect(readOperatorFile(join(dir, 'big'), { maxBytes: 100 })).rejects.toThrow(`${join(dir, 'big')}: is 101 bytes; at most 100 are read`);
    await expect(readOperatorFile(join(dir, 'none'), { maxBytes: 100 })).rejects.toThrow(`${join(dir, 'none')}: no such file`);
  });

  it('finding 10: a file others cannot read is not published for others to read', async () => {
    writeFileSync(join(dir, 'secret'), 'x');
    chmodSync(join(dir, 'secret'), 0o640);
    await expect(readOperatorFile(join(dir, 'secret'), { maxBytes: 100, worldReadable: true })).rejects.toThrow('is not readable by others (mode 0640), and publishing would make it so');
  });
});
