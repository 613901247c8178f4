/**
 * A command left running on a node whose output is read as it comes, line by
 * line (a watcher such as `inotifywait -m`). Made by the nodes capability
 * (nodes/stream-exec.ts, over a pooled SSH connection), used by the
 * containers capability: declared here so neither imports the other.
 */
export interface StreamHandlers {
  /** One whole stdout line, without its newline. */
  line(text: string): void;
  /** One whole stderr line (the command's own messages: "Watches established.", errors). */
  errorLine?(text: string): void;
  /** Once, when the channel is gone: the command ended, the connection dropped, or close() was called. */
  closed?(): void;
}

export interface StreamExec {
  readonly isClosed: boolean;
  close(): void;
}
