import { open, stat } from 'node:fs/promises';
import type { SftpChannel } from './ssh-connection.js';

const chunkBytes = 1 << 20;

/**
 * A node's file appended to a local one from the local one's size: an
 * interrupted download goes on where it stopped instead of starting over.
 * Whether the bytes are right is the caller's to check (a sha256 it knows).
 * Resolves with the size reached and where this call started.
 */
export async function resumeDownload(channel: SftpChannel, remote: string, local: string, onProgress?: (done: number) => void): Promise<{ bytes: number; from: number }> {
  const from = await stat(local).then((s) => s.size, () => 0);
  const handle = await channel.openRead(remote);
  // The local file is opened for appending only (never truncated): what is there already is kept.
  const file = await open(local, 'a', 0o600).catch((error: unknown) => {
    channel.closeHandle(handle);
    throw error;
  });
  let position = from;
  try {
    const buffer = Buffer.alloc(chunkBytes);
    for (;;) {
      const read = await channel.read(handle, buffer, position);
      if (read === 0) break;
      await file.write(buffer, 0, read);
      position += read;
      onProgress?.(position);
    }
  } finally {
    channel.closeHandle(handle);
    await file.close();
  }
  return { bytes: position, from };
}
