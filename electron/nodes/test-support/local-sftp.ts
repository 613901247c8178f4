import { close, open, read, statfs } from 'node:fs';
import type { SftpChannel } from '../ssh-connection.js';

/**
 * An SftpChannel on this machine's own files (what an SFTP server on it would
 * answer), for unit tests of the resident session without sshd. Counts what
 * is open; `die()` ends it as a server that went away does.
 */
export interface LocalSftp extends SftpChannel {
  readonly openHandles: number;
  readonly opened: number;
  readonly reads: number;
  readonly isClosed: boolean;
  die(): void;
}

export function localSftp(options: { statvfs?: boolean } = {}): LocalSftp {
  const handles = new Set<number>();
  const listeners: (() => void)[] = [];
  let closed = false;
  let opened = 0;
  let reads = 0;
  const gone = () => Object.assign(new Error('No response from server'), { code: undefined });
  const end = () => {
    if (closed) return;
    closed = true;
    for (const fd of handles) close(fd, () => undefined);
    handles.clear();
    for (const listener of listeners.splice(0)) listener();
  };
  const fdOf = (handle: Buffer) => handle.readUInt32BE(0);
  return {
    get openHandles() {
      return handles.size;
    },
    get opened() {
      return opened;
    },
    get reads() {
      return reads;
    },
    get isClosed() {
      return closed;
    },
    openRead: (path) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(gone());
        open(path, 'r', (error, fd) => {
          // SFTP status codes as a server sends them: 2 no such file, 3 permission denied.
          if (error) return reject(Object.assign(new Error(error.message), { code: error.code === 'ENOENT' ? 2 : 3 }));
          opened += 1;
          handles.add(fd);
          const handle = Buffer.alloc(4);
          handle.writeUInt32BE(fd);
          resolve(handle);
        });
      }),
    read: (handle, into, position) =>
      new Promise((resolve, reject) => {
        if (closed || !handles.has(fdOf(handle))) return reject(gone());
        reads += 1;
        read(fdOf(handle), into, 0, into.length, position, (error, bytes) => (error ? reject(error) : resolve(bytes)));
      }),
    closeHandle(handle) {
      const fd = fdOf(handle);
      if (handles.delete(fd)) close(fd, () => undefined);
    },
    statvfs: (path) =>
      new Promise((resolve, reject) => {
        if (options.statvfs === false) return reject(new Error('Server does not support this extended request'));
        if (closed) return reject(gone());
        statfs(path, (error, s) => (error ? reject(error) : resolve({ f_frsize: s.bsize, f_blocks: s.blocks, f_bfree: s.bfree })));
      }),
    onClose: (listener) => void (closed ? listener() : listeners.push(listener)),
    close: end,
    die: end,
  };
}
