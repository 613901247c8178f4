import { randomBytes } from 'node:crypto';
import { SlipwayError, terminalLimits, type TerminalClosed } from '../../shared/contract/index.js';
import type { ClientContext } from '../backend/client-context.js';
import { OutputWindow } from './output-window.js';
import type { PtyChannel } from '../lib/pty-channel.js';

/** A pty on a node (made by the nodes capability, wired in by the composition root). */
export type TerminalChannel = PtyChannel;

export type TerminalLimits = typeof terminalLimits;

/** Where a terminal runs: the node's login shell, or a shell inside one of the node's containers. */
export interface TerminalTarget {
  node: string;
  /** The container's instance or unique name (validated by the contract). */
  container?: string | undefined;
}

export interface TerminalServiceDeps {
  /** Opens a login shell on a pty on an inventory node; rejects with why it could not (refused host key, unreachable…). */
  openPty(node: string, size: { cols: number; rows: number }): Promise<TerminalChannel>;
  /**
   * Opens a shell inside a container on a node (made by the containers
   * capability, wired in by the composition root); rejects when the container
   * is unknown or the node cannot be reached. Absent: container shells are refused.
   */
  openContainerPty?(node: string, container: string, size: { cols: number; rows: number }): Promise<TerminalChannel>;
  limits?: Partial<Pick<TerminalLimits, 'maxSessionsPerClient' | 'maxOutputChunkBytes' | 'highWaterBytes' | 'lowWaterBytes'>>;
}

interface Session {
  id: string;
  node: string;
  owner: ClientContext;
  channel: TerminalChannel | null;
  window: OutputWindow;
  /** Output read from the node and not sent yet: coalesced over one turn of the event loop. */
  pending: Buffer[];
  pendingBytes: number;
  flushTimer: NodeJS.Immediate | null;
  /** Set when we close it (the operator, the client going away): its end is not "connection lost". */
  closing: boolean;
  ended: boolean;
  forgetOwner: () => void;
}

const newId = () => `t-${randomBytes(8).toString('hex')}`;

function closedEvent(session: string, node: string, code: number | null, signal: string | null, closing: boolean): TerminalClosed {
  // Closed from here: sshd hangs the shell up (SIGHUP), which is not news to the operator who closed it.
  if (closing) return { session, reason: 'closed', exitCode: code, signal, message: 'closed' };
  if (code !== null) return { session, reason: 'exit', exitCode: code, signal: null, message: `closed: exit ${code}` };
  if (signal !== null) return { session, reason: 'exit', exitCode: null, signal, message: `closed: killed by SIG${signal.replace(/^SIG/, '')}` };
  return { session, reason: 'connection-lost', exitCode: null, signal: null, message: `connection lost to ${node}` };
}

/**
 * In-console terminals. A session belongs to the client that opened it: its
 * output and its end go to that client alone (client events, never the bus),
 * only that client may type into it, resize or close it, and it ends when the
 * client goes away. Output travels in chunks under flow control: the node's
 * stream is paused while too much is unacknowledged by the client. Nothing
 * typed or shown is logged or kept.
 */
export function createTerminalService(deps: TerminalServiceDeps) {
  const limits = { ...terminalLimits, ...deps.limits };
  const sessions = new Map<string, Session>();

  function owned(id: string, client: ClientContext | undefined): Session {
    const session = sessions.get(id);
    // Another client's session is answered as an unknown one: its existence is not theirs to learn.
    if (!session || !client || session.owner !== client) throw new SlipwayError('bad_request', `no open terminal ${id}`, 'session');
    return session;
  }

  function flush(session: Session): void {
    if (session.flushTimer) clearImmediate(session.flushTimer);
    session.flushTimer = null;
    if (session.pendingBytes === 0) return;
    const all = Buffer.concat(session.pending, session.pendingBytes);
    session.pending = [];
    session.pendingBytes = 0;
    for (let at = 0; at < all.length; at += limits.maxOutputChunkBytes) {
      const piece = all.subarray(at, at + limits.maxOutputChunkBytes);
      session.owner.send('terminal.output', { session: session.id, data: piece.toString('base64') });
      if (session.window.sent(piece.length)) session.channel?.pause();
    }
  }

  function end(session: Session, code: number | null, signal: string | null): void {
    if (session.ended) return;
    flush(session);
    session.ended = true;
    sessions.delete(session.id);
    session.forgetOwner();
    session.owner.send('terminal.closed', closedEvent(session.id, session.node, code, signal, session.closing));
  }

  function attach(session: Session, channel: TerminalChannel): void {
    session.channel = channel;
    channel.onData((chunk) => {
      if (session.ended) return;
      session.pending.push(chunk);
      session.pendingBytes += chunk.length;
      if (session.pendingBytes >= limits.maxOutputChunkBytes) flush(session);
      else session.flushTimer ??= setImmediate(() => flush(session));
    });
    channel.onClose((code, signal) => end(session, code, signal));
  }

  function closeSession(session: Session): void {
    session.closing = true;
    if (session.channel) session.channel.close();
    // Still opening: closed as soon as it opens (see open()).
  }

  return {
    /** A terminal on `target` (a node's name, or a node and one of its containers), owned by `client`. */
    async open(target: string | TerminalTarget, size: { cols: number; rows: number }, client: ClientContext | undefined): Promise<{ session: string }> {
      const { node, container } = typeof target === 'string' ? { node: target, container: undefined } : target;
      if (!client) throw new SlipwayError('failed', 'a terminal belongs to a connected console');
      const openContainerPty = deps.openContainerPty;
      if (container !== undefined && !openContainerPty) throw new SlipwayError('failed', 'shells inside containers are not available here');
      const held = [...sessions.values()].filter((s) => s.owner === client).length;
      if (held >= limits.maxSessionsPerClient) {
        throw new SlipwayError('failed', `at most ${limits.maxSessionsPerClient} terminals at once: close one first`);
      }
      const session: Session = {
        id: newId(), node, owner: client, channel: null,
        window: new OutputWindow(limits.highWaterBytes, limits.lowWaterBytes),
        pending: [], pendingBytes: 0, flushTimer: null, closing: false, ended: false, forgetOwner: () => undefined,
      };
      sessions.set(session.id, session);
      session.forgetOwner = client.onGone(() => closeSession(session));
      let channel: TerminalChannel;
      try {
        channel = container === undefined ? await deps.openPty(node, size) : await openContainerPty!(node, container, size);
      } catch (error) {
        sessions.delete(session.id);
        session.forgetOwner();
        throw error instanceof SlipwayError ? error : new SlipwayError('failed', `${container === undefined ? node : `${container}@${node}`}: ${(error as Error).message}`);
      }
      attach(session, channel);
      // The client went away, or closed it, while it opened.
      if (session.closing || client.gone) closeSession(session);
      return { session: session.id };
    },

    input(id: string, data: string, client: ClientContext | undefined): void {
      const session = owned(id, client);
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length > terminalLimits.maxInputBytes) throw new SlipwayError('bad_request', `at most ${terminalLimits.maxInputBytes} bytes of input a frame`, 'data');
      if (bytes.length > 0) session.channel?.write(bytes);
    },

    resize(id: string, cols: number, rows: number, client: ClientContext | undefined): void {
      owned(id, client).channel?.resize(cols, rows);
    },

    ack(id: string, bytes: number, client: ClientContext | undefined): void {
      const session = owned(id, client);
      if (session.window.acked(bytes)) session.channel?.resume();
    },

    close(id: string, client: ClientContext | undefined): boolean {
      const session = sessions.get(id);
      if (!session || !client || session.owner !== client) return false;
      closeSession(session);
      return true;
    },

    /** Sessions open now (all clients): for tests and the backend's close. */
    count: () => sessions.size,

    closeAll(): void {
      for (const session of [...sessions.values()]) closeSession(session);
    },
  };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
