import { create } from 'zustand';
import { backend } from '../connection/backend.js';
import { appendLogLines, parseLogText, type LogLine } from './container-log-lines.js';

interface LogData {
  /** Whose log is held: the selected container's node and instance. */
  node: string | null;
  instance: string | null;
  /** Oldest first, at most the newest `maxLogLines`. */
  lines: LogLine[];
  /** Where the next read starts in the node's `current`. */
  offset: number;
  /** How often s6-log began a new `current` while it was shown. */
  rotations: number;
  /** The first read answered. */
  loaded: boolean;
  /** Polling: false once stopped (the detail closed, the container gone). */
  live: boolean;
  error: string | null;
}

interface LogActions {
  /** Tails this container's log (kept when it is the one already held), or forgets it (null). */
  follow(target: { node: string; instance: string } | null): void;
  /** Stops polling and keeps what is held. */
  stop(): void;
}

export type ContainerLogState = LogData & LogActions;

/** About once a second: a log read is one SSH round trip per open detail. */
export const logPollMs = 1_000;

export const initialLogData = (): LogData => ({ node: null, instance: null, lines: [], offset: 0, rotations: 0, loaded: false, live: false, error: null });

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const selectLogLines = (s: ContainerLogState) => s.lines;
export const selectLogInstance = (s: ContainerLogState) => s.instance;
export const selectLogRotations = (s: ContainerLogState) => s.rotations;
export const selectLogError = (s: ContainerLogState) => s.error;
/** What the panel's header says of the tail. */
export const selectLogPhase = (s: ContainerLogState): 'reading' | 'live' | 'stopped' => (!s.live ? 'stopped' : s.loaded ? 'live' : 'reading');

/** The selected container's s6-log, read on from where the last read ended, one read at a time. */
export const useContainerLog = create<ContainerLogState>()((set, get) => {
  /** Bumped by every follow and stop: a loop or an answer of an older one ends there. */
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The read on the wire: the next one, even for another container, waits for it, so reads never overlap. */
  let inflight: Promise<unknown> | null = null;
  let nextId = 0;

  function halt(): void {
    generation += 1;
    if (timer) clearTimeout(timer);
    timer = null;
  }

  async function poll(mine: number): Promise<void> {
    timer = null;
    if (inflight) await inflight.catch(() => undefined);
    const { node, instance, offset } = get();
    if (mine !== generation || node === null || instance === null) return;
    const request = backend().request('containers.logs', { node, instance, offset });
    inflight = request;
    try {
      const answer = await request;
      if (mine !== generation) return;
      const marker: LogLine[] = answer.restarted && get().lines.length > 0 ? [{ id: nextId++, stamp: null, at: null, text: 'log rotated', rotated: true }] : [];
      const added = parseLogText(answer.text, nextId);
      nextId += added.length;
      set((s) => ({
        lines: marker.length + added.length > 0 ? appendLogLines(s.lines, [...marker, ...added]) : s.lines,
        offset: answer.offset,
        rotations: s.rotations + (answer.restarted ? 1 : 0),
        loaded: true,
        error: null,
      }));
    } catch (error) {
      // Kept polling: an SSH hiccup should not end the tail; the next read says whether it lasts.
      if (mine === generation) set({ loaded: true, error: `Could not read the log of ${instance}: ${messageOf(error)}` });
    } finally {
      if (inflight === request) inflight = null;
      if (mine === generation) timer = setTimeout(() => void poll(mine), logPollMs);
    }
  }

  return {
    ...initialLogData(),

    follow(target) {
      const { node, instance, live } = get();
      const same = target !== null && target.node === node && target.instance === instance;
      if (same && live) return;
      halt();
      if (!target) {
        set(initialLogData());
        return;
      }
      set(same ? { live: true } : { ...initialLogData(), node: target.node, instance: target.instance, live: true });
      void poll(generation);
    },

    stop() {
      halt();
      set({ live: false });
    },
  };
});
