import { z } from 'zod';
import { command } from './define.js';
import { ContainerName } from './instance-name.js';

/**
 * In-console terminals to inventory nodes: a pty over the node's pooled SSH
 * connection, running the node's login shell, or a shell inside one of its
 * containers (entered into the container's namespaces, chrooted to its root). A session belongs to the client that opened it: its output and
 * its end are client events (sent to that client only, never on the bus), and
 * it ends when that client goes away. Keystrokes and output are opaque bytes,
 * base64 on the wire, and are never logged.
 */
export const terminalLimits = {
  /** Terminals one client may hold open at once. */
  maxSessionsPerClient: 6,
  /** Raw bytes of one input frame; a paste is sent in pieces of this size. */
  maxInputBytes: 16 * 1024,
  /** Raw bytes of one output event; the backend splits larger chunks. */
  maxOutputChunkBytes: 32 * 1024,
  /** Output sent and not yet acked by the client before the node's stream is paused. */
  highWaterBytes: 256 * 1024,
  /** …and resumed once the unacked bytes are back under this. */
  lowWaterBytes: 64 * 1024,
  cols: { min: 2, max: 500 },
  rows: { min: 1, max: 200 },
} as const;

const base64 = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const TerminalSessionId = z.string().regex(/^t-[0-9a-f]{16}$/, 'not a terminal session id');
const cols = z.number().int().min(terminalLimits.cols.min).max(terminalLimits.cols.max);
const rows = z.number().int().min(terminalLimits.rows.min).max(terminalLimits.rows.max);

export const TerminalClosedReason = z.enum(['exit', 'connection-lost', 'closed']);
export type TerminalClosedReason = z.infer<typeof TerminalClosedReason>;

export const TerminalClosed = z.object({
  session: TerminalSessionId,
  reason: TerminalClosedReason,
  /** The remote shell's exit status when it exited; null otherwise (lost, closed, killed by a signal). */
  exitCode: z.number().int().nullable(),
  /** The signal that ended the remote shell, when one did. */
  signal: z.string().nullable(),
  /** One line for the operator ("closed: exit 0", "connection lost: …"). */
  message: z.string(),
});
export type TerminalClosed = z.infer<typeof TerminalClosed>;

export const terminalCommands = {
  /**
   * A login shell with a pty on an inventory node, sized cols × rows; with
   * `container` (its instance or unique name), a shell inside that container
   * on the node instead, as root. A container that is not running says so in
   * one line and the session ends (non-zero).
   */
  'terminal.open': command(
    z.object({ node: z.string().min(1).max(63), container: ContainerName.optional(), cols, rows }).strict(),
    z.object({ session: TerminalSessionId }),
  ),
  /** Keystrokes (or a piece of a paste), base64. */
  'terminal.input': command(z.object({ session: TerminalSessionId, data: base64(terminalLimits.maxInputBytes) }).strict(), z.object({})),
  'terminal.resize': command(z.object({ session: TerminalSessionId, cols, rows }).strict(), z.object({})),
  /** Output bytes the client has written to its screen: the backend sends more once it knows. */
  'terminal.ack': command(z.object({ session: TerminalSessionId, bytes: z.number().int().positive().max(1 << 30) }).strict(), z.object({})),
  'terminal.close': command(z.object({ session: TerminalSessionId }).strict(), z.object({ closed: z.boolean() })),
};

/** Sent to the owning client only (see `clientEvents` in index.ts). */
export const terminalClientEvents = {
  /** Output of the pty (stdout and stderr are one stream on a pty), base64. */
  'terminal.output': z.object({ session: TerminalSessionId, data: base64(terminalLimits.maxOutputChunkBytes) }),
  'terminal.closed': TerminalClosed,
};
