import { StringDecoder } from 'node:string_decoder';
import type { ExecChannel } from './ssh-connection.js';
import type { StreamExec, StreamHandlers } from '../lib/line-stream.js';

export type { StreamExec, StreamHandlers } from '../lib/line-stream.js';

/*
 * A streaming exec (lib/line-stream.ts): the command's stdin stays open while
 * the stream is held; closing the stream ends it (the node's side sees end of
 * file, then the channel goes), and the channel's slot is released when it
 * closes, whoever closed it.
 */

/** Splits chunks into lines; a line cut across chunks (or a UTF-8 character) waits for the rest. */
export function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  const take = (text: string) => {
    let from = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
      emit(partial + text.slice(from, at));
      partial = '';
      from = at + 1;
    }
    partial += text.slice(from);
  };
  return {
    push: (chunk) => take(decoder.write(chunk)),
    end: () => {
      take(decoder.end());
      // A last line without its newline is still a line the command printed.
      if (partial !== '') emit(partial);
      partial = '';
    },
  };
}

/** An exec channel read as lines; `release` (the channel's slot) runs once, when the channel closes. */
export function streamLines(channel: ExecChannel, handlers: StreamHandlers, release: () => void = () => undefined): StreamExec {
  let closed = false;
  const out = lineSplitter((text) => !closed && handlers.line(text));
  const err = lineSplitter((text) => !closed && handlers.errorLine?.(text));
  channel.onStdout((chunk) => out.push(chunk));
  channel.onStderr((chunk) => err.push(chunk));
  channel.onClose(() => {
    if (closed) return;
    out.end();
    err.end();
    closed = true;
    release();
    handlers.closed?.();
  });
  return {
    get isClosed() {
      return closed;
    },
    close: () => {
      if (!closed) channel.close();
    },
  };
}
