import { ZodError } from 'zod';
import { SlipwayError, specProblems } from '../../shared/contract/index.js';

/** A usage mistake: exit 2, the message and the command's usage section. */
export class UsageError extends Error {}

/** A refusal already worded for the operator, possibly several lines (every problem of a spec): exit 1. */
export class Refusal extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
  }
}

/** Every problem of a document the operator gave (a spec, a definition), one per line under its name, as the console lists them. */
export function problemsRefusal(file: string, what: string, problems: readonly { field: string; message: string }[]): Refusal {
  return new Refusal([`${file}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`} in the ${what}:`, ...problems.map((p) => `  ${p.field}: ${p.message}`)]);
}

// How the system's error codes read to an operator; a code not here keeps Node's wording.
const errnoWords: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'exists already',
  ENOTEMPTY: 'directory not empty',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
  EBUSY: 'busy',
};

export function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || (typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS'));
}

/** parseArgs words its errors in two sentences, the second about `--`; the first is what went wrong. */
export function usageMessage(error: Error): string {
  return error instanceof UsageError ? error.message : (error.message.split(/\.\s/)[0] ?? error.message);
}

/**
 * What went wrong, as the operator reads it: lines without stack frames.
 * A system error names its path and says what the code means; a validation
 * error lists every field; anything else keeps its message, less any frames.
 */
export function describeError(error: unknown): string[] {
  if (error instanceof Refusal) return [...error.lines];
  if (error instanceof ZodError) return specProblems(error).map((p) => `${p.field}: ${p.message}`);
  // The field leads unless the message names what it is about already ("spec.yaml: no such file", "name: too long").
  if (error instanceof SlipwayError) return lines(error.field && !/^\S+: /.test(error.message) ? `${error.field}: ${error.message}` : error.message, error.name);
  if (!(error instanceof Error)) return lines(String(error), 'failed');
  const errno = error as NodeJS.ErrnoException;
  if (errno.code && errnoWords[errno.code] && (errno.path || errno.syscall)) return [`${errno.path ?? errno.syscall}: ${errnoWords[errno.code]}`];
  return lines(error.message, error.name);
}

/** A message's first line, then its others indented under it (a YAML error's excerpt), stack frames left out. */
function lines(message: string, fallback: string): string[] {
  // Node's own wording, quoted inside a service's message: "ENOENT: no such file or directory, open '/x'" reads "/x: no such file".
  const human = message.replace(/\b(E[A-Z]+): [^,\n]*, [a-z]+ '([^'\n]*)'(?: -> '[^'\n]*')?/g, (whole, code: string, path: string) => (errnoWords[code] ? `${path}: ${errnoWords[code]}` : whole));
  const [first, ...rest] = human.split('\n').filter((line) => line.trim() !== '' && !/^\s+at \S/.test(line));
  return first === undefined ? [fallback] : [first, ...rest.map((line) => (/^\s/.test(line) ? line : `  ${line}`))];
}

/** `SLIPWAY_DEBUG=1` shows the stack as well, for whoever is debugging Slipway itself. */
export function errorReport(prefix: string, error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLIPWAY_DEBUG && error instanceof Error && error.stack) return `${prefix}: ${error.stack}\n`;
  // Indented lines belong to the line above (a spec's problems under its name): they keep no prefix.
  return describeError(error).map((line) => (/^\s/.test(line) ? `${line}\n` : `${prefix}: ${line}\n`)).join('');
}
