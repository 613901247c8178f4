import { appendFileSync, chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AttachRequest, ToHelper, type FromHelper } from './helper-protocol.js';

/*
 * A detached helper's side of its connection (a build host's helper, started
 * with setsid so an SSH drop does not end it): what it says is numbered and
 * journalled on the host's disk, a console attaches over a unix socket in the
 * session's folder and gets everything after the last number it saw, and a
 * helper nobody attaches to for `lingerMs` shuts down (releasing its builds),
 * so a console that never comes back leaks nothing.
 */

export const socketName = 'helper.sock';
export const journalName = 'journal.jsonl';
/** The journal's size before it starts a new generation. */
const journalLimit = 64 * 2 ** 20;
/** A unix socket path longer than sun_path (108 bytes with its NUL) cannot be bound. */
export const maxSocketPath = 107;

export interface HelperSession {
  readonly id: string;
  readonly dir: string;
  /** Numbered, journalled, and written to the attached console if there is one. */
  send(message: Exclude<FromHelper, { type: 'ready' }>): void;
  /** Messages from consoles; a call whose id was seen before (re-sent after a re-attach) is not handed on twice. */
  onMessage(listener: (message: ToHelper) => void): void;
  /** Nobody attached for `lingerMs`. */
  onAbandoned(listener: () => void): void;
  /** Diagnostics with no call to belong to (a release that failed during shutdown): the session's helper.err. */
  diag(text: string): void;
  /** Stop listening and remove the session's folder (its journal goes with it: nothing is running any more), unless it must stay for a recovery. */
  close(options?: { keepFolder?: boolean }): void;
}

export interface SessionOptions {
  dir: string;
  id: string;
  lingerMs: number;
  /** The `ready` line each attaching console gets first (its session part is filled in here). */
  ready: () => Extract<FromHelper, { type: 'ready' }>;
  recovered: readonly string[];
  /** Lines kept for replay (default 200,000; half go when it is full). */
  keepLines?: number;
}

export async function openSession(options: SessionOptions): Promise<HelperSession> {
  const { dir, id } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let journal = openSync(join(dir, journalName), 'a', 0o600);
  const socketPath = join(dir, socketName);
  const keepLines = options.keepLines ?? 200_000;
  rmSync(socketPath, { force: true });
  // The last lines said, for replay (`first` is the sequence number of said[0]); a helper lives as long as its
  // console, many builds: older lines go, and a console that asks for them is told how many it missed.
  let said: string[] = [];
  let first = 1;
  let next = 1;
  let journalBytes = 0;
  const seenCalls = new Set<number>();
  let lastCall = 0;
  const listeners: ((message: ToHelper) => void)[] = [];
  const abandoned: (() => void)[] = [];
  let attached: Socket | null = null;
  let linger: NodeJS.Timeout | null = null;

  const startLinger = () => {
    linger ??= setTimeout(() => abandoned.forEach((listener) => listener()), options.lingerMs);
  };
  const stopLinger = () => {
    if (linger) clearTimeout(linger);
    linger = null;
  };

  const hand = (message: ToHelper) => {
    if (message.type === 'call') {
      if (seenCalls.has(message.id)) return;
      seenCalls.add(message.id);
      lastCall = Math.max(lastCall, message.id);
    }
    listeners.forEach((listener) => listener(message));
  };

  function attach(socket: Socket, after: number): void {
    // One console at a time: a newer attach is the console that came back; the old connection is a dead one.
    attached?.destroy();
    attached = socket;
    stopLinger();
    const ready = options.ready();
    socket.write(`${JSON.stringify({ ...ready, session: { id, seq: next - 1, oldest: first, recovered: [...options.recovered], lastCall } })}\n`);
    for (const line of said.slice(Math.max(0, after + 1 - first))) socket.write(line);
  }

  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    let first = true;
    const lines = createInterface({ input: socket });
    lines.on('line', (line) => {
      try {
        const json: unknown = JSON.parse(line);
        if (first) {
          first = false;
          attach(socket, AttachRequest.parse(json).after);
        } else if (attached === socket) hand(ToHelper.parse(json));
      } catch {
        // A malformed first line is not a console: it gets nothing.
        if (attached !== socket) socket.destroy();
      }
    });
    socket.on('close', () => {
      if (attached !== socket) return;
      attached = null;
      startLinger();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  startLinger();

  return {
    id,
    dir,
    send(message) {
      const line = `${JSON.stringify({ ...message, seq: next })}\n`;
      next += 1;
      said.push(line);
      if (said.length > keepLines) {
        said = said.slice(said.length - Math.ceil(keepLines / 2));
        first = next - said.length;
      }
      try {
        // The journal on disk likewise: one generation kept beside the current one.
        if (journalBytes > journalLimit) {
          closeSync(journal);
          renameSync(join(dir, journalName), join(dir, `${journalName}.1`));
          journal = openSync(join(dir, journalName), 'a', 0o600);
          journalBytes = 0;
        }
        writeSync(journal, line);
        journalBytes += Buffer.byteLength(line);
      } catch {
        // A full disk must not stop the build: the lines are still kept in memory and sent.
      }
      attached?.write(line);
    },
    onMessage: (listener) => void listeners.push(listener),
    onAbandoned: (listener) => void abandoned.push(listener),
    diag(text) {
      try {
        appendFileSync(join(dir, 'helper.err'), `${new Date().toISOString()} ${text}\n`);
      } catch {
        // Nowhere left to say it.
      }
    },
    close({ keepFolder = false } = {}) {
      stopLinger();
      attached?.end();
      server.close();
      closeSync(journal);
      if (!keepFolder) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a session's helper still answers on its socket (a helper killed, or a host restarted, leaves a socket nobody listens on). */
export function sessionAlive(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(join(dir, socketName));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The sessions beside this one whose helpers are gone, and so are their
 * builds: what a starting helper recovers. A socket nobody listens on is a
 * helper that died (killed, or its host restarted); a folder without a socket
 * may be a helper still starting, and counts as dead only after a minute.
 */
export async function deadSessions(sessionsDir: string, own: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(sessionsDir).filter((name) => /^[0-9a-f]{16}$/.test(name) && name !== own);
  } catch {
    return [];
  }
  const dead: string[] = [];
  for (const name of names) {
    const dir = join(sessionsDir, name);
    if (existsSync(join(dir, socketName))) {
      if (!(await sessionAlive(dir))) dead.push(name);
      continue;
    }
    try {
      if (now - statSync(dir).mtimeMs >= 60_000) dead.push(name);
    } catch {
      // Gone meanwhile: nothing to recover.
    }
  }
  return dead;
}
