import type { Page } from '@playwright/test';

export interface SentRequest {
  command: string;
  payload: Record<string, unknown>;
}

/**
 * Every request frame the page sends to the backend, in order (register it
 * before the page opens its socket). A test that must show something did *not*
 * happen counts requests up to a later one that did: the socket is ordered, so
 * no fixed wait is needed.
 */
export function recordRequests(page: Page): SentRequest[] {
  const sent: SentRequest[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      try {
        const frame = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8')) as { type?: string; command?: string; payload?: Record<string, unknown> };
        if (frame.type === 'request' && typeof frame.command === 'string') sent.push({ command: frame.command, payload: frame.payload ?? {} });
      } catch {
        // not a JSON frame: not a request
      }
    });
  });
  return sent;
}
