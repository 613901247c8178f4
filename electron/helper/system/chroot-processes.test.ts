import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chrootedPids } from './chroot-processes.js';

describe('chrootedPids', () => {
  let base: string;
  let proc: string;
  const root = '/srv/ws/builds/b1/root';

  /** A fake /proc/<pid> whose `root` link reads as target. */
  const fakeProcess = (pid: string, target: string | null) => {
    mkdirSync(join(proc, pid));
    if (target !== null) symlinkSync(target, join(proc, pid, 'root'));
  };

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'slipway-proc-'));
    proc = join(base, 'proc');
    mkdirSync(proc);
    fakeProcess('1', '/');
    fakeProcess('412', root); // chrooted at the root itself (apt-get)
    fakeProcess('413', `${root}/var/lib`); // chrooted deeper (a daemon that chrooted again)
    fakeProcess('500', '/srv/ws/builds/b10/root'); // another build whose name starts the same
    fakeProcess('501', '/srv/ws/builds/b1'); // the build dir, above the chroot
    fakeProcess('502', null); // gone meanwhile: no root link to read
    fakeProcess('9999', `${root}/`);
    // Not processes: ignored whatever they point at.
    symlinkSync(root, join(proc, 'self'));
    mkdirSync(join(proc, 'sys'));
    symlinkSync(root, join(proc, 'sys', 'root'));
    mkdirSync(join(proc, '12a'));
    symlinkSync(root, join(proc, '12a', 'root'));
    writeFileSync(join(proc, 'uptime'), '1.00 2.00\n');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('finds the processes whose root is the chroot or below it, and only those', async () => {
    const pids = await chrootedPids(root, proc);
    expect([...pids].sort((a, b) => a - b)).toEqual([412, 413, 9999]);
    expect(pids.every((pid) => typeof pid === 'number')).toBe(true);
  });

  it('is empty when nothing runs in the chroot', async () => {
    await expect(chrootedPids('/srv/ws/builds/b2/root', proc)).resolves.toEqual([]);
  });

  it('throws when the proc directory cannot be read', async () => {
    await expect(chrootedPids(root, join(base, 'no-proc'))).rejects.toThrow(/ENOENT/);
  });

  it('finds nothing chrooted into a fresh temp dir on the real /proc', async () => {
    await expect(chrootedPids(base)).resolves.toEqual([]);
  });
});
