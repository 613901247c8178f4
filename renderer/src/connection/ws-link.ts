import type { RelayIn, RelayOut } from './frame-relay.js';
import type { Link, LinkState } from './link.js';
import { reconnectDelay } from './reconnect-delay.js';

/**
 * The web console: one WebSocket to the backend that serves the page, owned by a worker
 * (ws-worker.ts) that parses and acks frames off this thread. The token travels as the
 * cookie set when the page was first opened. A dropped socket is reopened with backoff;
 * a refusal (new token after a backend restart) stops and says so.
 */
export function createWsLink(location: Location): Link {
  const frameListeners: ((raw: unknown) => void)[] = [];
  const stateListeners: ((state: LinkState, detail?: string) => void)[] = [];
  const setState = (state: LinkState, detail?: string) => stateListeners.forEach((listener) => listener(state, detail));
  // Relative to the page: the console lives under its session path (/s/…/), where the cookie goes.
  const session = new URL('api/session', location.href).href;
  const url = new URL('api/ws', location.href).href.replace(/^http/, 'ws');
  const worker = new Worker(new URL('./ws-worker.ts', import.meta.url), { type: 'module', name: 'slipway-socket' });
  const tell = (command: RelayIn) => worker.postMessage(command);
  let open = false;
  let opening = false;
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

  function connect(): void {
    timer = null;
    opening = true;
    tell({ kind: 'open', url });
  }

  worker.onmessage = (message: MessageEvent<RelayOut>) => {
    const out = message.data;
    if (out.kind === 'frames') {
      for (const raw of out.frames) frameListeners.forEach((listener) => listener(raw));
      return;
    }
    if (out.kind === 'open') {
      open = true;
      opening = false;
      attempt = 0;
      setState('connected');
      return;
    }
    open = false;
    opening = false;
    void refused().then((isRefused) => {
      if (isRefused) {
        setState('refused', 'The backend no longer accepts this page: it restarted with a new token. Open the URL it printed.');
        return;
      }
      const delay = reconnectDelay(attempt++);
      setState('reconnecting', `Backend unreachable; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
      timer = setTimeout(connect, delay);
    });
  };

  queueMicrotask(() => {
    setState('connecting');
    connect();
  });

  return {
    kind: 'web',
    send(frame) {
      if (!open) throw new Error('not connected to the backend');
      tell({ kind: 'send', text: JSON.stringify(frame) });
    },
    // The worker acks each event batch as it arrives, before this thread sees it.
    ack() {},
    onFrame: (listener) => frameListeners.push(listener),
    onState: (listener) => stateListeners.push(listener),
    reconnect() {
      if (timer) clearTimeout(timer);
      if (!open && !opening) {
        attempt = 0;
        setState('connecting');
        connect();
      }
    },
  };
}
