import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ResidentSftp, SftpUnavailable } from './resident-sftp.js';
import { SshError } from './ssh-connection.js';
import { readHealth } from './sftp-health-reader.js';
import { localSftp, type LocalSftp } from './test-support/local-sftp.js';

/** A resident session over this machine's files; counts sessions opened and channel slots held. */
function resident(options: { statvfs?: boolean; refuse?: string } = {}) {
  const sessions: LocalSftp[] = [];
  let slots = 0;
  const sftp = new ResidentSftp({
    acquireSlot: async () => {
      slots += 1;
      let held = true;
      return () => {
        if (held) slots -= 1;
        held = false;
      };
    },
    open: async () => {
      if (options.refuse) throw new Error(options.refuse);
      const session = localSftp(options);
      sessions.push(session);
      return session;
    },
  });
  return { sftp, sessions, slots: () => slots };
}

describe('resident SFTP session', () => {
  it('opens once, keeps the /proc files open and re-reads them: the facts of this machine on every use', async () => {
    const { sftp, sessions, slots } = resident();
    const first = await sftp.use(readHealth, 5_000);
    expect(first.hostname).toBe(hostname());
    expect(first.kernel).toBe(release());
    expect(first.memTotalBytes).toBe(Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024);
    const opened = sessions[0]!.opened;
    for (let i = 0; i < 3; i++) await sftp.use(readHealth, 5_000);
    expect(sessions).toHaveLength(1);
    // Static files were opened, read and closed once; the three live files stay open and are only read again.
    expect(sessions[0]!.opened).toBe(opened);
    expect(sessions[0]!.openHandles).toBe(3);
    expect(slots()).toBe(1);
    sftp.close();
    expect(sessions[0]!.isClosed).toBe(true);
    expect(sessions[0]!.openHandles).toBe(0);
    expect(slots()).toBe(0);
  });

  it('a session that fails is ended (handles, channel, slot) and the next use opens a new one', async () => {
    const { sftp, sessions, slots } = resident();
    await sftp.use(readHealth, 5_000);
    await expect(sftp.use(async () => Promise.reject(new Error('garbled answer')), 5_000)).rejects.toThrow(SftpUnavailable);
    expect(sessions[0]!.isClosed).toBe(true);
    expect(slots()).toBe(0);
    await sftp.use(readHealth, 5_000);
    expect(sessions).toHaveLength(2);
    expect(slots()).toBe(1);

    // The server going away by itself: noticed, and the next use reopens.
    sessions[1]!.die();
    expect(slots()).toBe(0);
    expect((await sftp.use(readHealth, 5_000)).cpus).toBeGreaterThan(0);
    expect(sessions).toHaveLength(3);
    sftp.close();
  });

  it('a use that outlives its time fails as a timeout and drops the session', async () => {
    const { sftp, sessions, slots } = resident();
    const never = sftp.use(() => new Promise<never>(() => undefined), 50);
    await expect(never).rejects.toBeInstanceOf(SshError);
    await expect(never).rejects.toMatchObject({ kind: 'timeout' });
    expect(sessions[0]!.isClosed).toBe(true);
    expect(slots()).toBe(0);
    sftp.close();
  });

  it('a use that gives up late does not cut off the next use of the same session', async () => {
    const { sftp, sessions } = resident();
    await sftp.use(readHealth, 5_000);
    let release = () => undefined as void;
    const late = sftp.use(() => new Promise<never>((_, reject) => (release = () => reject(new Error('no answer in time')))), 5_000);
    const next = sftp.use(async (session) => {
      release(); // the first use fails while this one works on the session
      await late.catch(() => undefined);
      return readHealth(session);
    }, 5_000);
    await expect(late).rejects.toThrow(SftpUnavailable);
    expect((await next).cpus).toBeGreaterThan(0);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.isClosed).toBe(false);
    sftp.close();
  });

  it('a refused subsystem is said once and remembered; so is a server without statvfs', async () => {
    const refusing = resident({ refuse: 'Unable to start subsystem: sftp' });
    const error = await refusing.sftp.use(readHealth, 5_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SftpUnavailable);
    expect((error as SftpUnavailable).refused).toBe(true);
    expect((error as Error).message).toMatch(/refused the SFTP subsystem/);
    expect(refusing.slots()).toBe(0);
    await expect(refusing.sftp.use(readHealth, 5_000)).rejects.toBe(error);

    const missing = resident({ refuse: 'Received exit code 127 while establishing SFTP session' });
    await expect(missing.sftp.use(readHealth, 5_000)).rejects.toMatchObject({ refused: true, message: /SFTP server does not start/ });

    const noStatvfs = resident({ statvfs: false });
    await expect(noStatvfs.sftp.use(readHealth, 5_000)).rejects.toThrow(/statvfs@openssh.com/);
    expect(noStatvfs.sessions[0]!.isClosed).toBe(true);
    await expect(noStatvfs.sftp.use(readHealth, 5_000)).rejects.toMatchObject({ refused: true });
    expect(noStatvfs.sessions).toHaveLength(1);
  });

  it('the work of a session that could not open fails, and a transient opening failure is tried again', async () => {
    let attempts = 0;
    const sftp = new ResidentSftp({
      acquireSlot: async () => () => undefined,
      open: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('(SSH) Channel open failure: open failed');
        return localSftp();
      },
    });
    await expect(sftp.use(readHealth, 5_000)).rejects.toMatchObject({ refused: false });
    expect((await sftp.use(readHealth, 5_000)).load).toHaveLength(3);
    expect(attempts).toBe(2);
    sftp.close();
  });
});
