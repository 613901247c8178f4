import type { ContainerRow } from '../../shared/contract/index.js';
import { endingFields, exited, type Ending } from './mock-container-lab.js';

/**
 * What the real node root would hold for a container the operator acts on:
 * its links and marker files. Its state follows from them with Treadmill's
 * precedence (container-state.ts in the real backend), so the mock refuses
 * and allows the same things the real scripts do: a container whose service
 * ended on its own keeps its running/ link, so removing it asks for a
 * terminate first, as on a real node.
 */
export interface ContainerFacts {
  /** running/<instance> links to it. */
  running: boolean;
  /** A link in cleanup/ names it. */
  cleanup: boolean;
  terminated: boolean;
  oom: boolean;
  aborted: string | null;
  /** exitinfo: the service's return code (above 255: killed by the signal); null while there is none. */
  exit: { rc: number; signal: number } | null;
}

export const freshFacts = (): ContainerFacts => ({ running: false, cleanup: false, terminated: false, oom: false, aborted: null, exit: null });

/** A seeded container's files as its row says: Treadmill's own supervisor already dropped the running/ link of one that ended. */
export function factsOf(row: ContainerRow): ContainerFacts {
  return {
    running: row.state === 'running',
    cleanup: row.cleanupPending,
    terminated: row.state === 'terminated',
    oom: row.state === 'killed',
    aborted: row.state === 'aborted' ? (row.reason ?? 'unknown') : null,
    exit: row.state === 'finished' && row.exitCode !== null ? { rc: row.exitCode, signal: row.signal ?? 0 } : null,
  };
}

/** The row's state and exit fields from the facts, with Treadmill's precedence (what the real scan reads). */
export function stateOf(facts: ContainerFacts, service: string, at: number): ReturnType<typeof endingFields> {
  const cleanupPending = facts.cleanup;
  const ending = ((): Ending => {
    if (facts.aborted !== null) return { state: 'aborted', summary: `aborted: ${facts.aborted}`, cleanupPending, reason: facts.aborted };
    if (facts.oom) return { state: 'killed', summary: 'out of memory', cleanupPending };
    if (facts.terminated) return { state: 'terminated', summary: 'terminated', cleanupPending };
    if (facts.exit !== null) return exited(facts.exit.rc, facts.exit.signal, cleanupPending);
    if (facts.running) return { state: 'running', summary: 'running', cleanupPending };
    if (facts.cleanup) return { state: 'cleanup', summary: 'cleanup pending', cleanupPending };
    return { state: 'configured', summary: 'configured', cleanupPending };
  })();
  return endingFields(ending, service, at);
}

/** Its service process is alive: linked into running/ and nothing has ended it. */
export const serviceUp = (facts: ContainerFacts) => facts.running && facts.exit === null && !facts.oom && !facts.terminated && facts.aborted === null;

/** A service needs more than this to start at all: under it, the memory cgroup kills it. */
export const tinyMemoryBytes = 4 * 1024 * 1024;

export function memoryBytes(size: string): number {
  const match = /^(\d+)([KMG])$/i.exec(size);
  return match ? Number(match[1]) * 1024 ** ('KMG'.indexOf(match[2]!.toUpperCase()) + 1) : Number.NaN;
}

/**
 * How a mocked service ends on its own, from its command and memory: killed
 * out of memory when the memory is tiny, the code of its last `exit N`;
 * otherwise it serves until it is stopped or terminated (null).
 */
export function serviceEnding(command: string, memory: string): { oom: true } | { oom: false; rc: number } | null {
  if (memoryBytes(memory) < tinyMemoryBytes) return { oom: true };
  const exits = [...command.matchAll(/\bexit\s+(\d+)\b/g)];
  const last = exits.at(-1);
  return last ? { oom: false, rc: Number(last[1]) % 256 } : null;
}
