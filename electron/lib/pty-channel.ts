/**
 * A login shell (or a command) with a pseudo-terminal: opaque bytes each way,
 * resized, paused for flow control. Made by the nodes capability (ssh2),
 * used by the terminal capability: declared here so neither imports the other.
 */
export interface PtyChannel {
  write(data: Buffer): void;
  onData(listener: (chunk: Buffer) => void): void;
  /** The remote end exited (code, or the signal that ended it), or the channel closed without a status (null, null). */
  onClose(listener: (code: number | null, signal: string | null) => void): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  close(): void;
}
