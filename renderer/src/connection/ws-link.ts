import type { Link, LinkState } from './link.js';
import { reconnectDelay } from './reconnect-delay.js';

/**
 * The web console: one WebSocket to the backend that serves the page. The token
 * travels as the cookie set when the page was first opened. A dropped socket is
 * reopened with backoff; a refusal (new token after a backend restart) stops
 * and says so.
 */
export function createWsLink(location: Location): Link {
  const frameListeners: ((raw: unknown) => void)[] = [];
  const stateListeners: ((state: LinkState, detail?: string) => void)[] = [];
  const setState = (state: LinkState, detail?: string) => stateListeners.forEach((listener) => listener(state, detail));
  // Relative to the page: the console lives under its session path (/s/…/), where the cookie goes.
  const session = new URL('api/session', location.href).href;
  const url = new URL('api/ws', location.href).href.replace(/^http/, 'ws');
  let socket: WebSocket | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function refused(): Promise<boolean> {
    try {
      const answer = await fetch(session, { credentials: 'same-origin', cache: 'no-store' });
      return answer.status === 401 || answer.status === 403;
    } catch {
      return false; // backend down: keep trying
    }
  }

  function open(): void {
    timer = null;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('connected');
    };
    ws.onmessage = (message) => {
      let raw: unknown;
      try {
        raw = JSON.parse(String(message.data));
      } catch {
        return;
      }
      frameListeners.forEach((listener) => listener(raw));
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      void refused().then((isRefused) => {
        if (isRefused) {
          setState('refused', 'The backend no longer accepts this page: it restarted with a new token. Open the URL it printed.');
          return;
        }
        const delay = reconnectDelay(attempt++);
        setState('reconnecting', `Backend unreachable; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
        timer = setTimeout(open, delay);
      });
    };
  }

  queueMicrotask(() => {
    setState('connecting');
    open();
  });

  return {
    kind: 'web',
    send(frame) {
      if (socket?.readyState !== WebSocket.OPEN) throw new Error('not connected to the backend');
      socket.send(JSON.stringify(frame));
    },
    ack(batch) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ack', batch }));
    },
    onFrame: (listener) => frameListeners.push(listener),
    onState: (listener) => stateListeners.push(listener),
    reconnect() {
      if (timer) clearTimeout(timer);
      if (socket === null) {
        attempt = 0;
        setState('connecting');
        open();
      }
    },
  };
}
