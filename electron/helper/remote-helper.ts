import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NodeSpec } from '../../shared/contract/index.js';
import { failLine, shQuote } from '../remote/shell-script.js';
import { speakHelper, type HelperClient } from './helper-client.js';
import { maxSocketPath, socketName } from './helper-session.js';
import { reattachingTransport, type HelperChannel } from './reattaching-transport.js';


/*
 * The privileged helper on a build host: the same single-file bundle the
 * host's own `node` runs, uploaded once per host and version to a path named
 * by its sha256, checked again by the very script that starts it (a file that
 * does not match is never run), started over an SSH exec channel under the
 * same namespaces as locally, and spoken to with the same JSON-lines protocol.
 */

/** What the remote helper needs of a node (wired by the composition root): its pooled exec, SFTP upload and an exec channel with stdin. */
export interface RemoteHelperAccess {
  spec: NodeSpec;
  exec(command: string, options: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  upload(from: string, to: string): Promise<void>;
  openExec(command: string, options: { timeoutMs?: number }): Promise<HelperChannel>;
  /** Skip the pool's backoff: a re-attach retries on its own schedule. */
  retryNow?(): void;
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
  /**
   * How long the helper goes on without a console (its connection dropped, or
   * this console ended) before it releases its builds and exits; the console
   * tries to re-attach as long. Default 900 s.
   */
  lingerSeconds?: number;
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

/** The folder of one detached helper on the host (its socket, journal and last words). */
const sessionsDir = (workspace: string) => `${workspace.replace(/\/+$/, '')}/sessions`;
export const sessionDir = (workspace: string, session: string) => `${sessionsDir(workspace)}/${session}`;

/** Where helpers are kept on a host unless the options say otherwise. */
export const defaultHelperDir = '/var/lib/slipway/helper';

/**
 * The script that starts a detached helper (digest checked first): setsid, so
 * an SSH connection that drops does not take it along, in private mount and
 * pid namespaces as locally, its stderr in the session's helper.err; then
 * the channel becomes the bridge to it (`--attach`). The inner `sh -c`
 * script is a constant: every value is an argument after it.
 */
export function remoteStartScript(file: string, sha256: string, session: string, options: Pick<RemoteHelperOptions, 'workspace' | 'outputRoots' | 'elevation' | 'lingerSeconds'>): string {
  const roots = options.outputRoots.flatMap((root) => ['--output-root', shQuote(root)]).join(' ');
  const sudo = options.elevation === 'sudo' ? 'sudo -n ' : '';
  const dir = sessionDir(options.workspace, session);
  const linger = String(Math.max(1, Math.round(options.lingerSeconds ?? 900)));
  return [
    nodeLine,
    digestGuard(file, sha256),
    `${sudo}mkdir -p -m 755 ${shQuote(options.workspace)}`,
    `${sudo}mkdir -p -m 700 ${shQuote(sessionsDir(options.workspace))} ${shQuote(dir)}`,
    // Its working directory is the workspace, as locally: nothing read relative to it is anyone's files.
    `cd ${shQuote(options.workspace)} || exit 5`,
    `${sudo}setsid -f sh -c 'exec "$@" 2>>"$0"' ${shQuote(`${dir}/helper.err`)} unshare --mount --pid --fork --kill-child --mount-proc --propagation private "$n" ${shQuote(file)} --workspace ${shQuote(options.workspace)} ${roots} --namespaced --session ${shQuote(session)} --linger-seconds ${linger} </dev/null >/dev/null 2>&1`,
    `exec ${sudo}"$n" ${shQuote(file)} --attach ${shQuote(`${dir}/${socketName}`)} --after 0 --wait-ms 60000`,
  ].join('\n');
}

/** The script that re-attaches to a session's helper after a drop: the bridge only, asking for what followed `after`. */
export function remoteAttachScript(file: string, sha256: string, session: string, after: number, options: Pick<RemoteHelperOptions, 'workspace' | 'elevation'>): string {
  const sudo = options.elevation === 'sudo' ? 'sudo -n ' : '';
  return [nodeLine, digestGuard(file, sha256), `exec ${sudo}"$n" ${shQuote(file)} --attach ${shQuote(`${sessionDir(options.workspace, session)}/${socketName}`)} --after ${String(Math.trunc(after))}`].join('\n');
}

const nodeLine = `n=$(command -v node) || ${failLine('node is not installed on this build host: apt-get install nodejs', 4)}`;

/**
 * The helper at its content-hashed path on the host: left alone when its
 * sha256 matches, otherwise uploaded beside it, checked, and renamed into
 * place (a cut upload never sits at the path). Says whether it uploaded.
 */
export function ensureRemoteHelper(access: RemoteHelperAccess, bundle: string, sha256: string, dir: string): Promise<{ path: string; uploaded: boolean }> {
  return ensureRemoteFile(access, bundle, sha256, remoteHelperPath(dir, sha256), '600');
}

/**
 * A local file at `path` on the host (its sha256 in its name): left alone
 * when its sum matches, otherwise uploaded beside it, checked and renamed into
 * place with `mode`. Says whether it uploaded.
 */
export async function ensureRemoteFile(access: RemoteHelperAccess, local: string, sha256: string, path: string, mode: '600' | '700'): Promise<{ path: string; uploaded: boolean }> {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  const check = await access.exec(`${digestGuard(path, sha256)}\nprintf 'present\\n'`, { timeoutMs: 30_000 });
  if (check.code === 0 && check.stdout.includes('present')) return { path, uploaded: false };
  const part = `${path}.part-${randomBytes(6).toString('hex')}`;
  const prepared = await access.exec(`mkdir -p -m 700 ${shQuote(dir)} && rm -f ${shQuote(path)}`, { timeoutMs: 30_000 });
  if (prepared.code !== 0) throw new Error(`could not prepare ${dir} on ${access.spec.name}: ${prepared.stderr.trim()}`);
  try {
    await access.upload(local, part);
    const placed = await access.exec(`${digestGuard(part, sha256)}\nchmod ${mode} ${shQuote(part)} && mv -f ${shQuote(part)} ${shQuote(path)}`, { timeoutMs: 30_000 });
    if (placed.code !== 0) throw new Error(`${path} uploaded to ${access.spec.name} does not match its sha256: ${placed.stderr.trim()}`);
  } finally {
    await access.exec(`rm -f ${shQuote(part)}`, { timeoutMs: 30_000 }).catch(() => undefined);
  }
  return { path, uploaded: true };
}

/** One start of a detached helper, spoken to through a transport that re-attaches; `mismatch` when the start script refused the file. */
async function startOver(access: RemoteHelperAccess, file: string, sha256: string, options: RemoteHelperOptions): Promise<{ helper: HelperClient; session: string } | { mismatch: true }> {
  const session = randomBytes(8).toString('hex');
  if (`${sessionDir(options.workspace, session)}/${socketName}`.length > maxSocketPath) {
    throw new Error(`the build host workspace ${options.workspace} is too long a path for the helper's socket: choose one under ${maxSocketPath - 40} characters`);
  }
  let mismatch = false;
  let started = false;
  const transport = await reattachingTransport({
    host: access.spec.name,
    reattachMs: (options.lingerSeconds ?? 900) * 1000,
    ...(access.retryNow ? { retryNow: () => access.retryNow!() } : {}),
    open: (after) => {
      // The first channel starts the helper; every later one only attaches, whatever it missed.
      const script = started ? remoteAttachScript(file, sha256, session, after, options) : remoteStartScript(file, sha256, session, options);
      started = true;
      return access.openExec(script, { timeoutMs: 30_000 });
    },
  });
  transport.onStderrLine((line) => {
    if (line === mismatchWord) mismatch = true;
  });
  try {
    return { helper: await speakHelper(transport), session };
  } catch (error) {
    if (mismatch) return { mismatch: true };
    throw error;
  }
}

/**
 * A session an earlier console started, attached to by this one (a console
 * that restarted carries on the builds it holds): everything the helper said
 * after `after` is replayed first; this console's calls are numbered from
 * `firstId` on (past every id the earlier one took). Fails when the session's helper is gone.
 */
export async function attachRemoteHelper(access: RemoteHelperAccess, options: RemoteHelperOptions, session: string, after: number, firstId = 1): Promise<HelperClient> {
  const sha256 = bundleDigest(options.bundle);
  const { path } = await ensureRemoteHelper(access, options.bundle, sha256, options.dir ?? defaultHelperDir);
  const transport = await reattachingTransport({
    host: access.spec.name,
    reattachMs: (options.lingerSeconds ?? 900) * 1000,
    startAfter: after,
    ...(access.retryNow ? { retryNow: () => access.retryNow!() } : {}),
    open: (from) => access.openExec(remoteAttachScript(path, sha256, session, from, options), { timeoutMs: 30_000 }),
  });
  return speakHelper(transport, { firstId });
}

/**
 * A session an earlier console left on the host (it ended without closing
 * it): attached to once more and told to close, so its helper releases the
 * builds it holds now rather than after its linger time. Says what it did.
 */
export async function closeLeftSession(access: RemoteHelperAccess, options: RemoteHelperOptions, session: string): Promise<string> {
  let helper: HelperClient;
  try {
    // Nothing to replay: only its ready line is wanted, then it goes.
    helper = await attachRemoteHelper(access, { ...options, lingerSeconds: 0 }, session, Number.MAX_SAFE_INTEGER);
  } catch (error) {
    return `session ${session} on ${access.spec.name}: already gone (${(error as Error).message})`;
  }
  await helper.close();
  return `session ${session} on ${access.spec.name}: its helper released what it held and exited`;
}

/**
 * The helper started on a build host, behind the same HelperClient as a
 * local one. A file changed between the upload check and the start is
 * refused by the start script, uploaded again, and started once more.
 */
export async function startRemoteHelper(access: RemoteHelperAccess, options: RemoteHelperOptions): Promise<{ helper: HelperClient; uploaded: boolean; session: string }> {
  const sha256 = bundleDigest(options.bundle);
  const dir = options.dir ?? defaultHelperDir;
  let uploaded = false;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const placed = await ensureRemoteHelper(access, options.bundle, sha256, dir);
    uploaded ||= placed.uploaded;
    const started = await startOver(access, placed.path, sha256, options);
    if ('helper' in started) return { helper: started.helper, uploaded, session: started.session };
  }
  throw new Error(`the helper on ${access.spec.name} does not match its sha256 after a fresh upload: refused to run it`);
}
