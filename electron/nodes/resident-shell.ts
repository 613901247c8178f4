import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { shQuote } from '../remote/shell-script.js';
import { SshError, type ExecChannel, type ExecResult } from './ssh-connection.js';

/** The command the login shell runs once per resident shell: from then on every script is a message to this `sh`. */
export const residentShellCommand = 'exec sh';

export interface RunOptions {
  timeoutMs?: number;
  onData?: (stream: 'out' | 'err', chunk: string) => void;
}

/**
 * One stream of the shell. A request's bytes are those between its start
 * marker line and its end marker line: what comes before the start (the login
 * shell's rc files talking, a background job's late output) belongs to no
 * request. Streamed output holds back only what could still be the end marker.
 */
class FramedStream {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private emitted = 0;
  private start: Buffer | null = null;
  private end: Buffer | null = null;
  private decoder = new StringDecoder('utf8');
  private listener: ((chunk: string) => void) | undefined;
  /** The request's bytes and what follows the end marker on its line (stdout: the exit code). */
  private found: ((bytes: Buffer, tail: string) => void) | null = null;

  expect(nonce: string, listener: ((chunk: string) => void) | undefined, found: (bytes: Buffer, tail: string) => void): void {
    this.start = Buffer.from(`S${nonce}\n`);
    this.end = Buffer.from(`\nE${nonce}`);
    this.started = false;
    this.emitted = 0;
    this.listener = listener;
    this.decoder = new StringDecoder('utf8');
    this.found = found;
    this.scan();
  }

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.scan();
  }

  /** What arrived of the request so far (a shell lost mid-request still reports it). */
  take(): Buffer {
    const bytes = this.started ? this.buffer : Buffer.alloc(0);
    this.buffer = Buffer.alloc(0);
    return bytes;
  }

  private scan(): void {
    if (!this.start || !this.end || !this.found) return;
    if (!this.started) {
      const at = this.buffer.indexOf(this.start);
      if (at < 0) {
        // Keep only what could be the start of the start marker.
        if (this.buffer.length > this.start.length) this.buffer = this.buffer.subarray(this.buffer.length - this.start.length);
        return;
      }
      this.buffer = this.buffer.subarray(at + this.start.length);
      this.started = true;
    }
    const at = this.buffer.indexOf(this.end);
    const lineEnd = at >= 0 ? this.buffer.indexOf(0x0a, at + this.end.length) : -1;
    if (at < 0 || lineEnd < 0) {
      this.emit(at >= 0 ? at : this.heldFrom());
      return;
    }
    this.emit(at);
    const bytes = this.buffer.subarray(0, at);
    const tail = this.buffer.subarray(at + this.end.length, lineEnd).toString('latin1').trim();
    this.buffer = this.buffer.subarray(lineEnd + 1);
    const found = this.found;
    this.found = null;
    this.start = null;
    this.end = null;
    found(bytes, tail);
  }

  /** Where the tail that could still become the end marker starts (a newline and a prefix of it), else the end. */
  private heldFrom(): number {
    const end = this.end!;
    for (let i = Math.max(this.emitted, this.buffer.length - end.length + 1); i < this.buffer.length; i++) {
      if (this.buffer[i] === 0x0a && end.subarray(0, this.buffer.length - i).equals(this.buffer.subarray(i))) return i;
    }
    return this.buffer.length;
  }

  private emit(upTo: number): void {
    if (!this.listener || upTo <= this.emitted) return;
    const text = this.decoder.write(this.buffer.subarray(this.emitted, upTo));
    this.emitted = upTo;
    if (text) this.listener(text);
  }

  flushDecoder(): void {
    const rest = this.decoder.end();
    if (rest && this.listener) this.listener(rest);
  }
}

/**
 * One long-lived `sh` on a node: scripts are sent as messages on its stdin,
 * so a remote action costs a round trip, not a login shell (a lab node's
 * rc files can take seconds: pyenv, conda, modules). The first request is
 * written at once and pays the login shell's start in its own round trip.
 * One request at a time; each runs in a subshell with stdin from /dev/null,
 * its text carried as one single-quoted word (`eval` in a subshell: a syntax
 * error ends that subshell, never the resident shell), framed on stdout and
 * stderr by marker lines with a random nonce that no output can know ahead.
 */
export class ResidentShell {
  private readonly stdout = new FramedStream();
  private readonly stderr = new FramedStream();
  private busy = false;
  private closed = false;
  private onLost: (() => void) | null = null;
  private closeListeners: (() => void)[] = [];
  /** Requests answered: a measure of what the shell saved. */
  requests = 0;

  constructor(private readonly channel: ExecChannel) {
    channel.onStdout((chunk) => this.stdout.push(chunk));
    channel.onStderr((chunk) => this.stderr.push(chunk));
    channel.onClose(() => this.ended());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  whenClosed(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Runs `command` as `sh -c` would; its exit code, stdout and stderr. */
  run(command: string, options: RunOptions = {}): Promise<ExecResult> {
    if (command.includes('\0')) return Promise.reject(new SshError('unreachable', 'a command cannot carry a NUL byte'));
    if (this.closed) return Promise.reject(new SshError('unreachable', 'the node shell is closed'));
    if (this.busy) return Promise.reject(new Error('a resident shell runs one request at a time'));
    this.busy = true;
    const nonce = randomBytes(16).toString('hex');
    const first = this.requests === 0;
    return new Promise<ExecResult>((resolve, reject) => {
      let out: Buffer | null = null;
      let err: Buffer | null = null;
      let code: number | null = null;
      const finish = () => {
        if (timer) clearTimeout(timer);
        this.onLost = null;
        this.busy = false;
      };
      const timer = options.timeoutMs
        ? setTimeout(() => {
            finish();
            this.close();
            reject(new SshError('timeout', `no answer within ${options.timeoutMs} ms`));
          }, options.timeoutMs)
        : null;
      timer?.unref?.();
      const settle = () => {
        if (out === null || err === null) return;
        finish();
        this.stdout.flushDecoder();
        this.stderr.flushDecoder();
        this.requests += 1;
        resolve({ code, signal: null, stdout: out.toString('utf8'), stderr: err.toString('utf8') });
      };
      this.onLost = () => {
        finish();
        // Gone before it ever answered: the login shell did not start (or the node refused it).
        if (first) reject(new SshError('unreachable', "the node's login shell ended before it ran anything"));
        // Gone mid-request (connection lost): what arrived, with no exit code, as a cut-off exec reports it.
        else resolve({ code: null, signal: null, stdout: this.stdout.take().toString('utf8'), stderr: this.stderr.take().toString('utf8') });
      };
      this.stdout.expect(nonce, options.onData && ((chunk) => options.onData!('out', chunk)), (bytes, tail) => {
        out = bytes;
        code = /^\d+$/.test(tail) ? Number(tail) : null;
        settle();
      });
      this.stderr.expect(nonce, options.onData && ((chunk) => options.onData!('err', chunk)), (bytes) => {
        err = bytes;
        settle();
      });
      this.channel.write(
        `printf 'S%s\\n' ${nonce}; printf 'S%s\\n' ${nonce} >&2\n` +
          `( eval ${shQuote(command)} ) </dev/null\n` +
          `rc=$?; printf '\\nE%s %s\\n' ${nonce} $rc; printf '\\nE%s\\n' ${nonce} >&2\n`,
      );
    });
  }

  private ended(): void {
    this.closed = true;
    const lost = this.onLost;
    this.onLost = null;
    lost?.();
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  close(): void {
    if (this.closed) return;
    this.channel.close();
    this.ended();
  }
}
