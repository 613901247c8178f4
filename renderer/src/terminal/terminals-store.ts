import { create } from 'zustand';
import { terminalLimits, type ClientEvent } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { base64ToBytes } from './terminal-bytes.js';
import { createOutputRouter } from './terminal-output.js';

export type TabState = 'opening' | 'open' | 'closed';

/** What a tab's shell runs in: a container on the node, by the name sent (its unique name) and the one shown (its instance). */
export interface ContainerTarget {
  name: string;
  instance: string;
}

/** One terminal tab: a session on a node (or in one of its containers), kept (readable) after it ends until the operator closes the tab. */
export interface TerminalTab {
  /** Local and stable: the session id comes only once the backend opened it. */
  key: string;
  node: string;
  /** A shell inside this container on the node; null: the node's login shell. */
  container: ContainerTarget | null;
  /** What the dock calls it: the node, or `instance@node`. */
  title: string;
  session: string | null;
  state: TabState;
  /** Why it ended ("closed: exit 0", "connection lost to n1", or why it could not open). */
  message: string | null;
  /** The open request went out (a screen asks once it knows its size). */
  requested: boolean;
}

interface TerminalsData {
  tabs: TerminalTab[];
  active: string | null;
  /** The dock is shown (tabs stay alive when it is hidden, and across views). */
  visible: boolean;
}

interface TerminalsActions {
  /** A new tab on `node` (in `container` when given), shown at once; its screen opens the session when it knows its size. */
  open(node: string, container?: ContainerTarget): void;
  /** Asks the backend for the session, sized as the screen is. */
  start(key: string, cols: number, rows: number): Promise<void>;
  select(key: string): void;
  /** An open session is closed (the tab stays, marked); a closed tab is removed. */
  close(key: string): void;
  setVisible(visible: boolean): void;
  apply(event: ClientEvent): void;
  /** The link to the backend dropped: the backend ended this console's sessions. */
  connectionLost(): void;
}

export type TerminalsState = TerminalsData & TerminalsActions;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
let nextKey = 1;

/** Output goes straight to the screens, never through React state; acks go back as the screens write it. */
export const terminalOutput = createOutputRouter((session, bytes) => backend().request('terminal.ack', { session, bytes }));

export const openCount = (tabs: readonly TerminalTab[]) => tabs.filter((tab) => tab.state !== 'closed').length;

export const useTerminals = create<TerminalsState>()((set, get) => {
  const update = (key: string, change: Partial<TerminalTab>) =>
    set((s) => ({ tabs: s.tabs.map((tab) => (tab.key === key ? { ...tab, ...change } : tab)) }));
  const bySession = (session: string) => get().tabs.find((tab) => tab.session === session);

  return {
    tabs: [],
    active: null,
    visible: false,

    open(node, container) {
      const key = `tab-${nextKey++}`;
      const full = openCount(get().tabs) >= terminalLimits.maxSessionsPerClient;
      const where = { key, node, container: container ?? null, title: container ? `${container.instance}@${node}` : node, session: null };
      const tab: TerminalTab = full
        ? { ...where, state: 'closed', message: `At most ${terminalLimits.maxSessionsPerClient} terminals at once: close one first.`, requested: true }
        : { ...where, state: 'opening', message: null, requested: false };
      set((s) => ({ tabs: [...s.tabs, tab], active: key, visible: true }));
    },

    async start(key, cols, rows) {
      const tab = get().tabs.find((t) => t.key === key);
      if (!tab || tab.requested) return;
      update(key, { requested: true });
      try {
        const { session } = await backend().request('terminal.open', { node: tab.node, ...(tab.container ? { container: tab.container.name } : {}), cols, rows });
        // Closed while it opened: close it at once.
        if (!get().tabs.some((t) => t.key === key && t.state === 'opening')) {
          void backend().request('terminal.close', { session }).catch(() => undefined);
          terminalOutput.forget(session);
          return;
        }
        update(key, { session, state: 'open' });
      } catch (error) {
        update(key, { state: 'closed', message: `could not open: ${messageOf(error)}` });
      }
    },

    select: (key) => set({ active: key, visible: true }),

    close(key) {
      const tab = get().tabs.find((t) => t.key === key);
      if (!tab) return;
      if (tab.state === 'open' && tab.session) {
        void backend().request('terminal.close', { session: tab.session }).catch(() => undefined);
        return;
      }
      if (tab.state === 'opening') {
        update(key, { state: 'closed', message: 'closed' });
        return;
      }
      if (tab.session) terminalOutput.forget(tab.session);
      set((s) => {
        const tabs = s.tabs.filter((t) => t.key !== key);
        const index = s.tabs.findIndex((t) => t.key === key);
        const active = s.active === key ? (tabs[Math.min(index, tabs.length - 1)]?.key ?? null) : s.active;
        return { tabs, active, visible: s.visible && tabs.length > 0 };
      });
    },

    setVisible: (visible) => set({ visible }),

    apply(event) {
      if (event.topic === 'terminal.output') {
        terminalOutput.deliver(event.payload.session, base64ToBytes(event.payload.data));
        return;
      }
      if (event.topic !== 'terminal.closed') return;
      // Its last output may still wait for a screen: the route is forgotten with the tab, not here.
      const tab = bySession(event.payload.session);
      if (tab) update(tab.key, { state: 'closed', message: event.payload.message });
    },

    connectionLost() {
      set((s) => ({
        tabs: s.tabs.map((tab) => (tab.state === 'closed' ? tab : { ...tab, state: 'closed', message: 'connection lost (to the backend)' })),
      }));
    },
  };
});
