import type { NodeFacts } from '../../shared/contract/index.js';
import { factsFromFiles, liveFiles, parseStatic, staticFiles, type LiveTexts, type StaticFacts, type StaticTexts } from './health-files.js';
import { refusal, type SftpSession } from './resident-sftp.js';
import type { SftpChannel } from './ssh-connection.js';

/**
 * Node health read over the node's resident SFTP session: no process is
 * started on the node. The /proc files stay open for the session's life and
 * are re-read at offset 0 (the kernel makes their text anew on each read);
 * each poll sends all its requests at once and waits for the answers together
 * (one round trip); facts that only a reboot changes are read once per session.
 */

interface Kept {
  live: Record<keyof LiveTexts, Buffer>;
  statics: StaticFacts;
}

/** An SFTP status (no such file, permission denied, unsupported) is the node's answer, not a broken session. */
const isStatus = (error: unknown) => typeof (error as { code?: unknown }).code === 'number';
const unsupported = (error: unknown) => isStatus(error) || /does not support/i.test((error as Error).message);

/** The whole file from offset 0: one read for the small /proc files, more only when the first fills the buffer. */
async function readWhole(channel: SftpChannel, handle: Buffer, size: number): Promise<string> {
  const chunks: Buffer[] = [];
  for (let position = 0; ; ) {
    const into = Buffer.allocUnsafe(size);
    const bytes = await channel.read(handle, into, position);
    chunks.push(into.subarray(0, bytes));
    position += bytes;
    if (bytes < size) return Buffer.concat(chunks).toString('utf8');
  }
}

/** Open a handle and register its closing with the session before anything else happens. */
async function openKept(session: SftpSession, path: string): Promise<{ handle: Buffer; release: () => void }> {
  const handle = await session.channel.openRead(path);
  let open = true;
  const release = () => {
    if (!open) return;
    open = false;
    session.channel.closeHandle(handle);
  };
  session.defer(release);
  return { handle, release };
}

async function readOnce(session: SftpSession, path: string, optional: boolean): Promise<string> {
  let opened: { handle: Buffer; release: () => void };
  try {
    opened = await openKept(session, path);
  } catch (error) {
    if (optional && isStatus(error)) return '';
    throw error;
  }
  try {
    return await readWhole(session.channel, opened.handle, 16_384);
  } finally {
    opened.release();
  }
}

async function openHealth(session: SftpSession): Promise<Kept> {
  const keys = Object.keys(liveFiles) as (keyof LiveTexts)[];
  const staticKeys = Object.keys(staticFiles) as (keyof StaticTexts)[];
  try {
    const [handles, texts] = await Promise.all([
      Promise.all(keys.map((key) => openKept(session, liveFiles[key]).then((opened) => opened.handle))),
      // os-release is missing on minimal systems: "unknown", as the shell probe says.
      Promise.all(staticKeys.map((key) => readOnce(session, staticFiles[key], key === 'osRelease'))),
    ]);
    return {
      live: Object.fromEntries(keys.map((key, i) => [key, handles[i]!])) as Kept['live'],
      statics: parseStatic(Object.fromEntries(staticKeys.map((key, i) => [key, texts[i]!])) as StaticTexts),
    };
  } catch (error) {
    if (isStatus(error)) throw refusal("the node's /proc cannot be read over SFTP", error);
    throw error;
  }
}

/** One poll: the three /proc files and the root's statvfs, requested together. */
export async function readHealth(session: SftpSession): Promise<NodeFacts> {
  const kept = await session.keep('health', () => openHealth(session));
  const keys = Object.keys(kept.live) as (keyof LiveTexts)[];
  const [texts, root] = await Promise.all([
    Promise.all(keys.map((key) => readWhole(session.channel, kept.live[key], key === 'meminfo' ? 16_384 : 1_024))),
    session.channel.statvfs('/').catch((error: unknown) => {
      throw unsupported(error) ? refusal('the node does not answer statvfs@openssh.com', error) : error;
    }),
  ]);
  return factsFromFiles(kept.statics, Object.fromEntries(keys.map((key, i) => [key, texts[i]!])) as LiveTexts, root);
}
