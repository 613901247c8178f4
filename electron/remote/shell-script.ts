import { SlipwayError } from '../../shared/contract/index.js';

/**
 * The one place values meet the POSIX sh that runs on nodes (and on this host
 * for node roots read locally). Every value a script carries becomes one
 * single-quoted word here: nothing inside single quotes is special to sh but
 * the quote itself, which is closed, escaped and reopened. Values never go
 * into a heredoc (a line equal to its terminator would end it) or inside
 * double quotes (`$(…)` and backquotes run there).
 */

/** A value as one sh word that is exactly that value; NUL, which no sh word can hold, is refused. */
export function shQuote(value: string): string {
  if (value.includes('\0')) throw new SlipwayError('bad_request', 'a value sent to a node cannot hold a NUL character');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Script lines that write `content` to `path` (mode first, so no moment of wider access): printf of one quoted word. */
export function writeFileLines(path: string, content: string, mode = '644'): string {
  if (!/^[0-7]{3,4}$/.test(mode)) throw new Error(`not a file mode: ${mode}`);
  const file = shQuote(path);
  return [`: > ${file}`, `chmod ${mode} ${file}`, `printf '%s' ${shQuote(content)} > ${file}`].join('\n');
}

/** A script line that says `message` on stderr and ends the script with `code`: the message as data, never as code. */
export function failLine(message: string, code = 3): string {
  return `{ printf '%s\\n' ${shQuote(message)} >&2; exit ${code}; }`;
}
