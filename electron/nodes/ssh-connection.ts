import type { Duplex, Readable, Writable } from 'node:stream';
import type { PtyChannel } from '../lib/pty-channel.js';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';
import type { NodeSpec } from '../../shared/contract/index.js';
import { fingerprint, keyTypeOf } from './known-hosts.js';
import type { KnownHostsStore } from './known-hosts-store.js';
import { SshError, type SshFailure } from './ssh-error.js';

// ssh2 is CommonJS: Node's ESM loader gives it as one default export.
const { Client } = ssh2;

export { SshError, type SshFailure } from './ssh-error.js';

export interface HostKeyQuestion {
  node: string;
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

export interface ConnectOptions {
  node: NodeSpec;
  trust: KnownHostsStore;
  /** Asked only for an unknown key; the connection waits for the answer (other nodes do not). */
  askHostKey(question: HostKeyQuestion): Promise<boolean>;
  /**
   * The identity file, read (and unlocked) only when the agent did not get us
   * in: an operator with the key in ssh-agent is never asked for a passphrase.
   */
  loadKey?: () => Promise<{ privateKey?: Buffer; passphrase?: string }>;
  agent?: string;
  readyTimeoutMs?: number;
  keepaliveMs?: number;
  /** A stream to speak SSH over instead of a TCP connection: a channel through a jump host. */
  sock?: Duplex;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The stdin, stdout and stderr of one command on a node (or of a local `sh` in tests). */
export interface ExecChannel {
  write(text: string): void;
  onStdout(listener: (chunk: Buffer) => void): void;
  onStderr(listener: (chunk: Buffer) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

export type { PtyChannel } from '../lib/pty-channel.js';

/** statvfs(2) of a path on the node, as the statvfs@openssh.com extension answers it. */
export interface SftpFsStats {
  f_frsize: number;
  f_blocks: number;
  f_bfree: number;
}

/** One SFTP session kept open: read-only handles read at an offset, requests pipelined (each is answered by id). */
export interface SftpChannel {
  openRead(path: string): Promise<Buffer>;
  /** Bytes read into `into` from `position`; 0 at the end of the file. */
  read(handle: Buffer, into: Buffer, position: number): Promise<number>;
  closeHandle(handle: Buffer): void;
  statvfs(path: string): Promise<SftpFsStats>;
  /** Once, when the session ends (the server ended it, the connection dropped, or close()). */
  onClose(listener: () => void): void;
  close(): void;
}

export interface PtyOptions {
  cols: number;
  rows: number;
  term?: string;
  /** A command to run on the pty instead of the login shell. */
  command?: string;
}

export interface SshConnection {
  exec(command: string, options?: { timeoutMs?: number; onData?: (stream: 'out' | 'err', chunk: string) => void }): Promise<ExecResult>;
  upload(localPath: string, remotePath: string, onProgress?: (done: number, total: number) => void): Promise<void>;
  download(remotePath: string, localPath: string, onProgress?: (done: number, total: number) => void): Promise<void>;
  /** An SFTP read or write stream; `end` closes its session. A node-to-node copy pipes one into the other. */
  openFile(remotePath: string, mode: 'read' | 'write'): Promise<{ stream: Readable | Writable; end(): void }>;
  /** An SFTP session to keep (node health): the subsystem's refusal rejects with ssh2's "Unable to start subsystem". */
  openSftp(): Promise<SftpChannel>;
  /** A command with its stdin open for writing (the resident shell), as an exec channel. */
  openChannel(command: string): Promise<ExecChannel>;
  /** A TCP stream opened from this node to host:port (ProxyJump). */
  forward(host: string, port: number): Promise<Duplex>;
  /** An interactive terminal: the login shell (or `command`) on a pty. */
  openPty(options: PtyOptions): Promise<PtyChannel>;
  readonly closed: Promise<void>;
  close(): void;
}

function classify(error: Error & { level?: string; code?: string }, hostKey: SshFailure | null): SshError {
  if (hostKey) return new SshError(hostKey, hostKey === 'host-key-changed' ? 'the host key changed: refused (check the node, then fix known_hosts by hand)' : 'the host key was not accepted');
  if (error.level === 'client-authentication') return new SshError('auth-failed', `authentication failed: ${error.message}`);
  if (error.level === 'client-timeout' || /timed out/i.test(error.message)) return new SshError('timeout', error.message);
  return new SshError('unreachable', error.message);
}

/** One SSH connection: host key checked before any credential is sent, then exec and SFTP. */
export function connect(options: ConnectOptions): Promise<SshConnection> {
  const { node } = options;
  const client = new Client();
  let hostKeyFailure: SshFailure | null = null;
  let keyError: SshError | null = null;
  const methods = [...(options.agent ? ['agent'] : []), 'publickey'];

  const config: ConnectConfig = {
    host: node.host,
    port: node.port,
    username: node.user,
    readyTimeout: options.readyTimeoutMs ?? 10_000,
    keepaliveInterval: options.keepaliveMs ?? 15_000,
    keepaliveCountMax: 3,
    ...(options.agent ? { agent: options.agent } : {}),
    // The agent first, then the identity file: OpenSSH's order.
    authHandler: (_methodsLeft, _partialSuccess, next) => {
      const method = methods.shift();
      if (method === 'agent' && options.agent) return next({ type: 'agent', username: node.user, agent: options.agent });
      if (method !== 'publickey' || !options.loadKey) return next(false as never);
      options.loadKey().then(
        (key) => (key.privateKey ? next({ type: 'publickey', username: node.user, key: key.privateKey, ...(key.passphrase !== undefined ? { passphrase: key.passphrase } : {}) }) : next(false as never)),
        (error: unknown) => {
          keyError = error instanceof SshError ? error : new SshError('auth-failed', (error as Error).message);
          next(false as never);
        },
      );
    },
    ...(options.sock ? { sock: options.sock as ConnectConfig['sock'] } : {}),
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      const blob = key.toString('base64');
      const keyType = keyTypeOf(blob);
      const verdict = options.trust.verdict(node.host, node.port, keyType, blob);
      if (verdict.status === 'trusted') return verify(true);
      if (verdict.status !== 'unknown') {
        hostKeyFailure = 'host-key-changed';
        return verify(false);
      }
      options.askHostKey({ node: node.name, host: node.host, port: node.port, keyType, fingerprint: fingerprint(blob) }).then(
        (accepted) => {
          if (accepted) options.trust.accept(node.host, node.port, blob);
          else hostKeyFailure = 'host-key-rejected';
          verify(accepted);
        },
        () => {
          hostKeyFailure = 'host-key-rejected';
          verify(false);
        },
      );
    },
  };

  return new Promise((resolve, reject) => {
    const closed = new Promise<void>((done) => client.once('close', () => done()));
    let settled = false;
    client.once('ready', () => {
      settled = true;
      // Commands are small messages answered at once: Nagle's algorithm against delayed ACKs would add ~40 ms to each.
      client.setNoDelay(true);
      resolve(wrap(client, closed));
    });
    // Kept for the connection's whole life: a late error (a peer that drops us) must not go unhandled; `closed` reports it.
    client.on('error', (error) => {
      if (settled) return;
      settled = true;
      // A key that could not be unlocked explains the authentication failure better than ssh2's summary.
      reject(keyError && (error as { level?: string }).level === 'client-authentication' ? keyError : classify(error, hostKeyFailure));
      client.end();
    });
    client.connect(config);
  });
}

function collect(channel: ClientChannel, timeoutMs: number | undefined, onData?: (stream: 'out' | 'err', chunk: string) => void): Promise<ExecResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const timer = timeoutMs ? setTimeout(() => channel.close(), timeoutMs) : null;
    channel.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onData?.('out', chunk.toString());
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onData?.('err', chunk.toString());
    });
    channel.once('close', (code: number | null, signal: string | null) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? null, signal: signal ?? null, stdout, stderr });
    });
  });
}

function wrap(client: InstanceType<typeof Client>, closed: Promise<void>): SshConnection {
  const sftp = () =>
    new Promise<import('ssh2').SFTPWrapper>((resolve, reject) => client.sftp((error, session) => (error ? reject(error) : resolve(session))));
  /** One SFTP session per transfer, ended whatever happens. */
  async function transfer(how: 'fastPut' | 'fastGet', from: string, to: string, onProgress?: (done: number, total: number) => void): Promise<void> {
    const session = await sftp();
    try {
      await new Promise<void>((resolve, reject) =>
        session[how](from, to, { step: (done, _chunk, total) => onProgress?.(done, total) }, (error) => (error ? reject(error) : resolve())),
      );
    } finally {
      session.end();
    }
  }
  return {
    closed,
    exec: (command, options = {}) =>
      new Promise((resolve, reject) => {
        client.exec(command, (error, channel) => (error ? reject(error) : resolve(collect(channel, options.timeoutMs, options.onData))));
      }),
    openChannel: (command) =>
      new Promise((resolve, reject) => {
        client.exec(command, (error, channel) => {
          if (error) return reject(error);
          resolve({
            write: (text) => void channel.write(text),
            onStdout: (listener) => void channel.on('data', listener),
            onStderr: (listener) => void channel.stderr.on('data', listener),
            onClose: (listener) => void channel.once('close', listener),
            close: () => void channel.close(),
          });
        });
      }),
    upload: (localPath, remotePath, onProgress) => transfer('fastPut', localPath, remotePath, onProgress),
    async openFile(remotePath, mode) {
      const session = await sftp();
      const stream = mode === 'read' ? session.createReadStream(remotePath) : session.createWriteStream(remotePath);
      return { stream, end: () => session.end() };
    },
    download: (remotePath, localPath, onProgress) => transfer('fastGet', remotePath, localPath, onProgress),
    openSftp: async () => sftpChannel(await sftp()),
    openPty: (options) =>
      new Promise((resolve, reject) => {
        const pty = { term: options.term ?? 'xterm-256color', cols: options.cols, rows: options.rows, width: 0, height: 0 };
        const opened = (error: Error | undefined, channel: ClientChannel) => (error ? reject(error) : resolve(ptyChannel(channel)));
        if (options.command === undefined) client.shell(pty, opened);
        else client.exec(options.command, { pty }, opened);
      }),
    forward: (host, port) =>
      new Promise((resolve, reject) => client.forwardOut('127.0.0.1', 0, host, port, (error, stream) => (error ? reject(error) : resolve(stream)))),
    close: () => client.end(),
  };
}

function ptyChannel(channel: ClientChannel): PtyChannel {
  let status: { code: number | null; signal: string | null } = { code: null, signal: null };
  // 'exit' carries the status ('close' repeats it only sometimes); a pty merges stderr, read anyway so it never stalls.
  channel.once('exit', (code: number | null, signal?: string) => (status = { code: typeof code === 'number' ? code : null, signal: signal ?? null }));
  channel.stderr.on('data', (chunk: Buffer) => channel.emit('data', chunk));
  return {
    write: (data) => void channel.write(data),
    onData: (listener) => void channel.on('data', listener),
    onClose: (listener) => void channel.once('close', () => listener(status.code, status.signal)),
    resize: (cols, rows) => channel.setWindow(rows, cols, 0, 0),
    pause: () => void channel.pause(),
    resume: () => void channel.resume(),
    close: () => void channel.close(),
  };
}

function sftpChannel(session: import('ssh2').SFTPWrapper): SftpChannel {
  // A failed session reports through its requests and 'close'; an 'error' without a listener would end the process.
  session.on('error', () => undefined);
  const closed = new Promise<void>((done) => session.once('close', () => done()));
  const settle = <T>(start: (done: (error: Error | null | undefined, value: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      try {
        start((error, value) => (error ? reject(error) : resolve(value)));
      } catch (error) {
        // ssh2 throws at once for a request the server does not support (an extension it did not announce).
        reject(error as Error);
      }
    });
  return {
    openRead: (path) => settle<Buffer>((done) => session.open(path, 'r', done)),
    read: (handle, into, position) => settle<number>((done) => session.read(handle, into, 0, into.length, position, (error, bytes) => done(error, bytes))),
    closeHandle: (handle) => session.close(handle, () => undefined),
    statvfs: (path) =>
      settle<SftpFsStats>((done) => session.ext_openssh_statvfs(path, (error: Error | undefined, stats: SftpFsStats) => done(error, stats))),
    onClose: (listener) => void closed.then(listener),
    close: () => session.end(),
  };
}
