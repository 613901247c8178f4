/**
 * Output on its way to a terminal's screen, outside React state: each session's
 * bytes go to its screen (xterm) when one is attached, or wait for it (the
 * backend's flow control bounds how much can wait). What the screen has
 * written is acknowledged to the backend, one ack in flight per session, so
 * the node's output keeps pace with what the operator's screen can show.
 */
export interface Screen {
  /** Writes bytes; calls `written` once they are on the screen. */
  write(bytes: Uint8Array, written: () => void): void;
}

interface Route {
  screen: Screen | null;
  waiting: Uint8Array[];
  /** Written and not acknowledged yet; an ack in flight. */
  unacked: number;
  acking: boolean;
}

export type SendAck = (session: string, bytes: number) => Promise<unknown>;

export function createOutputRouter(sendAck: SendAck) {
  const routes = new Map<string, Route>();
  const route = (session: string): Route => {
    let found = routes.get(session);
    if (!found) {
      found = { screen: null, waiting: [], unacked: 0, acking: false };
      routes.set(session, found);
    }
    return found;
  };

  function ack(session: string): void {
    const r = routes.get(session);
    if (!r || r.acking || r.unacked === 0) return;
    const bytes = r.unacked;
    r.unacked = 0;
    r.acking = true;
    void sendAck(session, bytes)
      .catch(() => undefined) // a closed session needs no more acks
      .finally(() => {
        r.acking = false;
        ack(session);
      });
  }

  function write(session: string, r: Route, bytes: Uint8Array): void {
    r.screen!.write(bytes, () => {
      r.unacked += bytes.length;
      ack(session);
    });
  }

  return {
    deliver(session: string, bytes: Uint8Array): void {
      const r = route(session);
      if (r.screen) write(session, r, bytes);
      else r.waiting.push(bytes);
    },
    attach(session: string, screen: Screen): void {
      const r = route(session);
      r.screen = screen;
      for (const bytes of r.waiting.splice(0)) write(session, r, bytes);
    },
    /** The screen went away (unmounted): output waits for the next one. */
    detach(session: string, screen: Screen): void {
      const r = routes.get(session);
      if (r?.screen === screen) r.screen = null;
    },
    /** The tab is gone: nothing more to deliver or acknowledge. */
    forget(session: string): void {
      routes.delete(session);
    },
    waitingBytes: (session: string) => routes.get(session)?.waiting.reduce((sum, bytes) => sum + bytes.length, 0) ?? 0,
  };
}

export type OutputRouter = ReturnType<typeof createOutputRouter>;
