import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { SlipwayError } from '../../shared/contract/index.js';

/** Node's errno wording without its code and syscall: "EIO: i/o error, open '/x'" is "i/o error". */
export function errnoText(message: string): string {
  const match = /^[A-Z][A-Z0-9]+: ([^,]+)/.exec(message);
  return match ? match[1]! : message;
}

export interface OperatorFileOptions {
  /** Larger than this is refused, never read. */
  maxBytes: number;
  /** The request field the path came from, for the refusal. */
  field?: string;
  /** Refuse a file that others cannot read: its content is about to become readable by others (the TFTP tree). */
  worldReadable?: boolean;
}

/** What was wrong with the file, for a caller that words it for its own operator (the message stays as it was). */
export type OperatorFileProblem =
  | { kind: 'missing' }
  | { kind: 'denied' }
  | { kind: 'not-regular'; what: string }
  | { kind: 'too-large'; maxBytes: number }
  | { kind: 'not-world-readable' }
  | { kind: 'unreadable'; code: string | undefined; message: string };

/** The refusal: a `bad_request` naming the path and the field, with the problem as data. */
export class OperatorFileError extends SlipwayError {
  constructor(
    readonly path: string,
    readonly problem: OperatorFileProblem,
    message: string,
    field?: string,
  ) {
    super('bad_request', message, field);
  }
}

const kinds: [(mode: number) => boolean, string][] = [
  [(m) => (m & constants.S_IFMT) === constants.S_IFIFO, 'a FIFO'],
  [(m) => (m & constants.S_IFMT) === constants.S_IFCHR, 'a character device'],
  [(m) => (m & constants.S_IFMT) === constants.S_IFBLK, 'a block device'],
  [(m) => (m & constants.S_IFMT) === constants.S_IFDIR, 'a directory'],
  [(m) => (m & constants.S_IFMT) === constants.S_IFSOCK, 'a socket'],
];

/**
 * A file the operator named (a spec, a key, an ssh config, a kernel): opened
 * without blocking (a FIFO with no writer answers at once), checked to be a
 * regular file of at most `maxBytes`, and read asynchronously. Whatever is
 * wrong is a refusal naming the path and the field, never a hang or a crash.
 */
export async function readOperatorFile(path: string, options: OperatorFileOptions): Promise<Buffer> {
  const refuse = (why: string, problem: OperatorFileProblem) => new OperatorFileError(path, problem, `${path}: ${why}`, options.field);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw refuse('no such file', { kind: 'missing' });
    if (code === 'EACCES') throw refuse('permission denied', { kind: 'denied' });
    throw refuse((error as Error).message, { kind: 'unreadable', code, message: (error as Error).message });
  }
  try {
    const stat = await handle.stat();
    const kind = kinds.find(([is]) => is(stat.mode));
    if (kind) throw refuse(`is ${kind[1]}, not a regular file`, { kind: 'not-regular', what: kind[1] });
    if (stat.size > options.maxBytes) throw refuse(`is ${stat.size} bytes; at most ${options.maxBytes} are read`, { kind: 'too-large', maxBytes: options.maxBytes });
    if (options.worldReadable && (stat.mode & 0o004) === 0) {
      throw refuse(`is not readable by others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}), and publishing would make it so`, { kind: 'not-world-readable' });
    }
    // At most one byte past the limit: a file that grew since stat is still refused, not read whole.
    const buffer = Buffer.alloc(Math.min(stat.size, options.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > options.maxBytes) throw refuse(`is larger than ${options.maxBytes} bytes`, { kind: 'too-large', maxBytes: options.maxBytes });
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** The same as text (UTF-8). */
export async function readOperatorText(path: string, options: OperatorFileOptions): Promise<string> {
  return (await readOperatorFile(path, options)).toString('utf8');
}
