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
 * One stream of the shell: bytes up to a per-request marker line belong to the
 * request. Streamed output holds back only what could still be the start of
 * the marker.
 */
class FramedStream {
  private buffer: Buffer = Buffer.alloc(0);
  private emitted = 0;
  private marker: Buffer | null = null;
  private decoder = new StringDecoder('utf8');
  private listener: ((chunk: string) => void) | undefined;
  /** The request's bytes and, for stdout, the exit code written after the marker. */
  private found: ((bytes: Buffer, tail: string) => void) | null = null;

  expect(marker: string, listener: ((chunk: string) => void) | undefined, found: (bytes: Buffer, tail: string) => void): void {
    this.marker = Buffer.from(`\n${marker}`);
    // Nothing the node sends can belong to a request not yet written: what is here is stray (a background job's output).
    this.buffer = Buffer.alloc(0);
    this.listener = listener;
    this.decoder = new StringDecoder('utf8');
    this.found = found;
    this.emitted = 0;
    this.scan();
  }

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.scan();
  }

  /** What arrived so far (a shell lost mid-request still reports it). */
  take(): Buffer {
    const bytes = this.buffer;
    this.buffer = Buffer.alloc(0);
    return bytes;
  }

  private scan(): void {
    if (!this.marker || !this.found) return;
    const at = this.buffer.indexOf(this.marker);
    const end = at >= 0 ? this.buffer.indexOf(0x0a, at + this.marker.length) : -1;
    if (at < 0 || end < 0) {
      this.emit(at >= 0 ? at : this.heldFrom());
      return;
    }
    this.emit(at);
    const bytes = this.buffer.subarray(0, at);
    const tail = this.buffer.subarray(at + this.marker.length, end).toString('latin1');
    this.buffer = this.buffer.subarray(end + 1);
    const found = this.found;
    this.found = null;
    this.marker = null;
    found(bytes, tail);
  }

  /** Where the tail that could still become the marker starts (a newline and a prefix of it), else the end. */
  private heldFrom(): number {
    const marker = this.marker!;
    for (let i = Math.max(this.emitted, this.buffer.length - marker.length + 1); i < this.buffer.length; i++) {
      if (this.buffer[i] === 0x0a && marker.subarray(0, this.buffer.length - i).equals(this.buffer.subarray(i))) return i;
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
 * rc files can take seconds: pyenv, conda, modules). One request at a time;
 * each runs in a subshell with stdin from /dev/null, its text carried as one
 * single-quoted word (`eval` in a subshell: a syntax error ends that subshell,
 * never the resident shell), and its end marked on stdout and stderr by a
 * random marker line that no output can know in advance.
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

  private constructor(private readonly channel: ExecChannel) {
    channel.onStdout((chunk) => this.stdout.push(chunk));
    channel.onStderr((chunk) => this.stderr.push(chunk));
    channel.onClose(() => {
      this.closed = true;
      this.onLost?.();
      for (const listener of this.closeListeners.splice(0)) listener();
    });
  }

  /** Starts the shell and waits until the login shell's own output (an rc file that prints) is behind us. */
  static async open(channel: ExecChannel, readyTimeoutMs = 60_000): Promise<ResidentShell> {
    const shell = new ResidentShell(channel);
    try {
      await shell.exchange(':', { timeoutMs: readyTimeoutMs }, true);
    } catch (error) {
      shell.close();
      throw error instanceof SshError ? error : new SshError('unreachable', `the node's shell did not start: ${(error as Error).message}`);
    }
    return shell;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  whenClosed(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Runs `command` as `sh -c` would; its exit code, stdout and stderr. */
  run(command: string, options: RunOptions = {}): Promise<ExecResult> {
    if (command.includes('\0')) return Promise.reject(new SshError('unreachable', 'a command cannot carry a NUL byte'));
    return this.exchange(command, options, false);
  }

  private exchange(command: string, options: RunOptions, opening: boolean): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new SshError('unreachable', 'the node shell is closed'));
    if (this.busy) return Promise.reject(new Error('a resident shell runs one request at a time'));
    this.busy = true;
    const marker = randomBytes(16).toString('hex');
    return new Promise<ExecResult>((resolve, reject) => {
      let out: Buffer | null = null;
      let err: Buffer | null = null;
      let code: number | null = null;
      const timer = options.timeoutMs
        ? setTimeout(() => {
            finish();
            this.close();
            reject(new SshError('timeout', `no answer within ${options.timeoutMs} ms`));
          }, options.timeoutMs)
        : null;
      timer?.unref?.();
      const finish = () => {
        if (timer) clearTimeout(timer);
        this.onLost = null;
        this.busy = false;
      };
      const settle = () => {
        if (out === null || err === null) return;
        finish();
        this.stdout.flushDecoder();
        this.stderr.flushDecoder();
        if (!opening) this.requests += 1;
        resolve({ code, signal: null, stdout: out.toString('utf8'), stderr: err.toString('utf8') });
      };
      this.onLost = () => {
        finish();
        // The channel went mid-request (connection lost): what arrived, with no exit code, as a cut-off exec reports it.
        if (opening) reject(new SshError('unreachable', 'the node closed the shell before it was ready'));
        else resolve({ code: null, signal: null, stdout: this.stdout.take().toString('utf8'), stderr: this.stderr.take().toString('utf8') });
      };
      this.stdout.expect(`${marker} `, options.onData && ((chunk) => options.onData!('out', chunk)), (bytes, tail) => {
        out = opening ? Buffer.alloc(0) : bytes;
        code = /^\d+$/.test(tail) ? Number(tail) : null;
        settle();
      });
      this.stderr.expect(marker, options.onData && ((chunk) => options.onData!('err', chunk)), (bytes) => {
        err = opening ? Buffer.alloc(0) : bytes;
        settle();
      });
      this.channel.write(`( eval ${shQuote(command)} ) </dev/null\nrc=$?; printf '\\n%s %s\\n' ${marker} $rc; printf '\\n%s\\n' ${marker} >&2\n`);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
    this.onLost?.();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
