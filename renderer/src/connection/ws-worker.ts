/// <reference lib="webworker" />
import { createFrameRelay, type RelayIn, type RelayOut } from './frame-relay.js';

/**
 * The web console's socket, owned by a worker: JSON.parse and acks happen here, off the page's
 * thread, so the backend's pipe stays full while the page renders a flood. The page gets parsed
 * frames and validates them against the contract as before (frame-client.ts).
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: RelayOut) => scope.postMessage(message);
let socket: WebSocket | null = null;

// ~one page frame: what arrives meanwhile goes in one post.
const relay = createFrameRelay({
  ack: (text) => socket?.readyState === WebSocket.OPEN && socket.send(text),
  post: (frames) => post({ kind: 'frames', frames }),
  later: (flush) => setTimeout(flush, 8),
});

scope.onmessage = (message: MessageEvent<RelayIn>) => {
  const command = message.data;
  if (command.kind === 'send') {
    if (socket?.readyState === WebSocket.OPEN) socket.send(command.text);
    return;
  }
  if (command.kind === 'close') {
    socket?.close();
    socket = null;
    return;
  }
  const ws = new WebSocket(command.url);
  socket = ws;
  ws.onopen = () => post({ kind: 'open' });
  ws.onmessage = (event: MessageEvent<unknown>) => relay.take(String(event.data));
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    relay.flush();
    post({ kind: 'closed' });
  };
};
