import { exitSummary } from './trace-events.js';

export type ContainerState = 'configured' | 'running' | 'finished' | 'killed' | 'aborted' | 'terminated' | 'cleanup';

/** What a scan found in one container's directory, and which links name it. */
export interface ContainerFacts {
  /** running/<instance> links here. */
  running: boolean;
  /** A link in cleanup/ (by instance or by unique name) names it. */
  cleanup: boolean;
  /** Contents of data/aborted, or null when there is none. */
  aborted: string | null;
  oom: boolean;
  terminated: boolean;
  /** Contents of exitinfo (data/ or, in older layouts, the top), or null. */
  exitinfo: string | null;
}

export interface ContainerStatus {
  state: ContainerState;
  /** Treadmill's words: "return code: 3", "signal: SIGTERM", "out of memory", "aborted: image". */
  summary: string;
  exit: { service: string | null; rc: number; signal: number; timestamp: number | null } | null;
  aborted: { why: string; payload: unknown } | null;
  cleanupPending: boolean;
  problems: string[];
}

function parseJson(what: string, text: string, problems: string[]): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    problems.push(`${what} is not a JSON object`);
  } catch (error) {
    problems.push(`${what} is not valid JSON (${(error as Error).message})`);
  }
  return null;
}

const num = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/**
 * The container's state with Treadmill's precedence (app_finish): aborted,
 * then oom, then terminated, then exitinfo; otherwise running, pending
 * cleanup, or configured. A damaged file is reported, never fatal.
 */
export function containerStatus(facts: ContainerFacts): ContainerStatus {
  const problems: string[] = [];
  const base = { exit: null, aborted: null, cleanupPending: facts.cleanup, problems };
  if (facts.aborted !== null) {
    // Older Treadmill wrote the reason as plain text; newer writes {"why", "payload"}.
    const raw = facts.aborted.trim().startsWith('{') ? parseJson('data/aborted', facts.aborted, problems) : null;
    const why = typeof raw?.why === 'string' ? raw.why : facts.aborted.trim() || 'unknown';
    return { ...base, state: 'aborted', summary: `aborted: ${why}`, aborted: { why, payload: raw?.payload ?? null } };
  }
  if (facts.oom) return { ...base, state: 'killed', summary: 'out of memory' };
  if (facts.terminated) return { ...base, state: 'terminated', summary: 'terminated' };
  if (facts.exitinfo !== null) {
    const info = parseJson('exitinfo', facts.exitinfo, problems);
    // rc 256 when unknown, as Treadmill's finish does.
    const exit = { service: typeof info?.service === 'string' ? info.service : null, rc: num(info?.return_code, 256), signal: num(info?.signal, 0), timestamp: typeof info?.timestamp === 'number' ? info.timestamp : null };
    return { ...base, state: 'finished', summary: info ? exitSummary(exit.rc, exit.signal) : 'finished (exit info unreadable)', exit };
  }
  if (facts.running) return { ...base, state: 'running', summary: 'running' };
  if (facts.cleanup) return { ...base, state: 'cleanup', summary: 'cleanup pending' };
  return { ...base, state: 'configured', summary: 'configured' };
}
