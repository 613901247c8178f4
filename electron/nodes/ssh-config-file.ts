import { SlipwayError } from '../../shared/contract/index.js';
import { errnoText, OperatorFileError, readOperatorText, type OperatorFileProblem } from '../lib/operator-file.js';

/** A client config is a few KiB; one this size is not one, and is refused unread. */
export const sshConfigMaxBytes = 1024 * 1024;

/**
 * One line an operator reads in the import dialog or the CLI, naming the file:
 * "no file at /root/.ssh/config", never a raw `ENOENT`.
 */
export function sshConfigProblemText(path: string, problem: OperatorFileProblem): string {
  switch (problem.kind) {
    case 'missing':
      return `no file at ${path}`;
    case 'denied':
      return `permission denied: ${path} cannot be read by this user`;
    case 'not-regular':
      return `${path} is ${problem.what}, not a regular file`;
    case 'too-large':
      return `${path} is larger than ${Math.round(problem.maxBytes / 1024)} KiB: not read`;
    case 'not-world-readable':
      return `${path} is not readable by others`;
    case 'unreadable':
      if (problem.code === 'ENOTDIR') return `no file at ${path}: a part of its path is not a directory`;
      if (problem.code === 'ELOOP') return `${path} cannot be read: too many symbolic links`;
      return `${path} cannot be read: ${errnoText(problem.message)}`;
  }
}

/**
 * The text of an OpenSSH client config: opened without blocking, a regular
 * file of at most `sshConfigMaxBytes` (see readOperatorFile); any refusal is
 * the one line of `sshConfigProblemText`, on the `path` field.
 */
export async function readSshConfig(path: string, maxBytes = sshConfigMaxBytes): Promise<string> {
  try {
    return await readOperatorText(path, { maxBytes, field: 'path' });
  } catch (error) {
    if (error instanceof OperatorFileError) throw new SlipwayError('bad_request', sshConfigProblemText(path, error.problem), 'path');
    throw error;
  }
}
