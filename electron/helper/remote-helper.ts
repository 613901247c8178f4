import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { NodeSpec } from '../../shared/contract/index.js';
import { failLine, shQuote } from '../remote/shell-script.js';
import { speakHelper, type HelperClient } from './helper-client.js';

/*
 * The privileged helper on a build host: the same single-file bundle the
 * host's own `node` runs, uploaded once per host and version to a path named
 * by its sha256, checked again by the very script that starts it (a file that
 * does not match is never run), started over an SSH exec channel under the
 * same namespaces as locally, and spoken to with the same JSON-lines protocol.
 */

/** An exec channel as the nodes capability gives it (declared here: the helper knows no capability). */
export interface HelperChannel {
  write(text: string): void;
  onStdout(listener: (chunk: Buffer) => void): void;
  onStderr(listener: (chunk: Buffer) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

/** What the remote helper needs of a node (wired by the composition root): its pooled exec, SFTP upload and an exec channel with stdin. */
export interface RemoteHelperAccess {
  spec: NodeSpec;
  exec(command: string, options: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  upload(from: string, to: string): Promise<void>;
  openExec(command: string, options: { timeoutMs?: number }): Promise<HelperChannel>;
}

export interface RemoteHelperOptions {
  /** The helper as one self-contained file (no imports but node: built-ins). */
  bundle: string;
  workspace: string;
  outputRoots: readonly string[];
  /** root: logged in as root; sudo: through sudo -n (readiness checked it asks no password). */
  elevation: 'root' | 'sudo';
  /** Where helpers are kept on the host; writable by the login user. */
  dir?: string;
}

/** Said on stderr by the start script when the file is not the one expected: the caller uploads again. */
const mismatchWord = 'slipway-helper-sha256-mismatch';
const mismatchCode = 97;

export function bundleDigest(bundle: string): string {
  return createHash('sha256').update(readFileSync(bundle)).digest('hex');
}

export function remoteHelperPath(dir: string, sha256: string): string {
  return `${dir.replace(/\/+$/, '')}/build-helper-${sha256}.mjs`;
}

/** sh lines that end the script with `mismatchCode` unless FILE's sha256 is SHA. */
function digestGuard(file: string, sha256: string): string {
  return `[ "$(sha256sum < ${shQuote(file)} 2>/dev/null | cut -d' ' -f1)" = ${shQuote(sha256)} ] || { printf '%s\\n' ${shQuote(mismatchWord)} >&2; exit ${mismatchCode}; }`;
}

/** The script the exec channel runs: check the digest, then exec the helper in private mount and pid namespaces. */
export function remoteStartScript(file: string, sha256: string, options: Pick<RemoteHelperOptions, 'workspace' | 'outputRoots' | 'elevation'>): string {
  const roots = options.outputRoots.flatMap((root) => ['--output-root', shQuote(root)]).join(' ');
  const sudo = options.elevation === 'sudo' ? 'sudo -n ' : '';
  return [
    `n=$(command -v node) || ${failLine('node is not installed on this build host: apt-get install nodejs', 4)}`,
    digestGuard(file, sha256),
    `${sudo}mkdir -p -m 755 ${shQuote(options.workspace)}`,
    // Its working directory is the workspace, as locally: nothing read relative to it is anyone's files.
    `cd ${shQuote(options.workspace)} || exit 5`,
    `exec ${sudo}unshare --mount --pid --fork --kill-child --mount-proc --propagation private "$n" ${shQuote(file)} --workspace ${shQuote(options.workspace)} ${roots} --namespaced`,
  ].join('\n');
}

/**
 * The helper at its content-hashed path on the host: left alone when its
 * sha256 matches, otherwise uploaded beside it, checked, and renamed into
 * place (a cut upload never sits at the path). Says whether it uploaded.
 */
export async function ensureRemoteHelper(access: RemoteHelperAccess, bundle: string, sha256: string, dir: string): Promise<{ path: string; uploaded: boolean }> {
  const path = remoteHelperPath(dir, sha256);
  const check = await access.exec(`${digestGuard(path, sha256)}\nprintf 'present\\n'`, { timeoutMs: 30_000 });
  if (check.code === 0 && check.stdout.includes('present')) return { path, uploaded: false };
  const part = `${path}.part-${randomBytes(6).toString('hex')}`;
  const prepared = await access.exec(`mkdir -p -m 700 ${shQuote(dir)} && rm -f ${shQuote(path)}`, { timeoutMs: 30_000 });
  if (prepared.code !== 0) throw new Error(`could not prepare ${dir} on ${access.spec.name}: ${prepared.stderr.trim()}`);
  try {
    await access.upload(bundle, part);
    const placed = await access.exec(`${digestGuard(part, sha256)}\nchmod 600 ${shQuote(part)} && mv -f ${shQuote(part)} ${shQuote(path)}`, { timeoutMs: 30_000 });
    if (placed.code !== 0) throw new Error(`the helper uploaded to ${access.spec.name} does not match its sha256: ${placed.stderr.trim()}`);
  } finally {
    await access.exec(`rm -f ${shQuote(part)}`, { timeoutMs: 30_000 }).catch(() => undefined);
  }
  return { path, uploaded: true };
}

/** One start over an exec channel; `mismatch` when the start script refused the file. */
async function startOver(access: RemoteHelperAccess, script: string): Promise<{ helper: HelperClient } | { mismatch: true }> {
  const channel = await access.openExec(script, { timeoutMs: 30_000 });
  let mismatch = false;
  // readline splits lines (and UTF-8 characters) cut across chunks, as for a local helper's pipes.
  const out = new PassThrough();
  const err = new PassThrough();
  const errLines = createInterface({ input: err }).on('line', (line) => {
    if (line === mismatchWord) mismatch = true;
  });
  const errDone = new Promise((resolve) => errLines.once('close', resolve));
  channel.onStdout((chunk) => out.write(chunk));
  channel.onStderr((chunk) => err.write(chunk));
  const gone = new Promise<string>((resolve) =>
    channel.onClose(() => {
      out.end();
      err.end();
      // Gone once every line it wrote has been read: the last result, and the mismatch word, come first.
      void Promise.all([finished(out).catch(() => undefined), errDone]).then(() => resolve(`its SSH channel to ${access.spec.name} closed`));
    }),
  );
  try {
    const helper = await speakHelper({
      write: (text) => channel.write(text),
      // Closing the channel closes the helper's stdin: it releases what it holds and exits (--kill-child takes the rest).
      end: () => channel.close(),
      onStdoutLine: (listener) => void createInterface({ input: out }).on('line', listener),
      onStderrLine: (listener) => void createInterface({ input: err }).on('line', listener),
      gone,
      kill: () => channel.close(),
      pid: undefined,
    });
    return { helper };
  } catch (error) {
    if (mismatch) return { mismatch: true };
    throw error;
  }
}

/**
 * The helper started on a build host, behind the same HelperClient as a
 * local one. A file changed between the upload check and the start is
 * refused by the start script, uploaded again, and started once more.
 */
export async function startRemoteHelper(access: RemoteHelperAccess, options: RemoteHelperOptions): Promise<{ helper: HelperClient; uploaded: boolean }> {
  const sha256 = bundleDigest(options.bundle);
  const dir = options.dir ?? '/var/lib/slipway/helper';
  let uploaded = false;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const placed = await ensureRemoteHelper(access, options.bundle, sha256, dir);
    uploaded ||= placed.uploaded;
    const started = await startOver(access, remoteStartScript(placed.path, sha256, options));
    if ('helper' in started) return { helper: started.helper, uploaded };
  }
  throw new Error(`the helper on ${access.spec.name} does not match its sha256 after a fresh upload: refused to run it`);
}
