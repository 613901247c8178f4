import { create } from 'zustand';
import type { HelloResponse } from '../../../shared/contract/index.js';
import type { LinkState } from './link.js';

interface ConnectionState {
  state: LinkState;
  detail: string | null;
  hello: HelloResponse | null;
  transport: 'desktop' | 'web' | null;
  /** When the backend was lost (ms since the epoch), until it is back: the banner says since when. */
  lostAt: number | null;
  setState(state: LinkState, detail?: string, hello?: HelloResponse): void;
}

export const useConnection = create<ConnectionState>()((set) => ({
  state: 'connecting',
  detail: null,
  hello: null,
  transport: null,
  lostAt: null,
  setState: (state, detail, hello) =>
    set((previous) => ({
      state,
      detail: detail ?? null,
      hello: hello ?? previous.hello,
      lostAt: state === 'connected' ? null : (previous.lostAt ?? (previous.state === 'connected' ? Date.now() : null)),
    })),
}));
