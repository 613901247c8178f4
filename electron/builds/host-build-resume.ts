import { isAlive } from '../process/process-identity.js';
import type { BuildDetail } from '../../shared/contract/index.js';
import type { HelperSource } from '../helper/helper-supervisor.js';
import { callForJob } from '../helper/helper-client.js';
import { readCheckpoints, removeCheckpoint, type BuildCheckpoint } from './build-checkpoint.js';

export interface ResumeDeps {
  /** Where the checkpoints are (build-checkpoint.ts). */
  dir: string;
  /** A host's helper session an earlier console left, attached to and replayed from after `after`. */
  adopt(host: string, session: string, after: number, firstId: number): Promise<HelperSource>;
  /** The builds whose console died that may be carried on, as last recorded. */
  held(): BuildDetail[];
  /** One that cannot be: it ended when its console did, for `why`. */
  interrupt(id: string, why: string): void;
  /** Carries one on over the attached helper; throws when it cannot (then it is interrupted). Says what it did. */
  carryOn(detail: BuildDetail, point: BuildCheckpoint, source: HelperSource): string;
}

/**
 * The builds on build hosts whose console ended (a crash, a kill, a restart)
 * while their helpers went on without it: each session they ran on attached
 * to once, replayed from the earliest step start among its builds, and each
 * build carried on from its checkpoint. A session whose helper is gone (it
 * waited for a console longer than its linger time, or its host restarted)
 * released its builds itself; they end here saying so. One line per build
 * carried on, and per build ended (and what was released of it).
 */
export async function resumeHostBuilds(deps: ResumeDeps): Promise<{ carried: string[]; ended: string[] }> {
  const { checkpoints, damaged } = readCheckpoints(deps.dir);
  const held = new Map(deps.held().map((detail) => [detail.summary.id, detail]));
  const carried: string[] = [];
  const lines: string[] = [];
  const end = (id: string, why: string) => {
    deps.interrupt(id, `interrupted: its console ended, and this one could not carry it on: ${why}`);
    removeCheckpoint(deps.dir, id);
    lines.push(`build ${id}: not carried on (${why})`);
  };
  for (const id of damaged) end(id, 'the note of where it stood is damaged');
  const sessions = new Map<string, BuildCheckpoint[]>();
  for (const point of checkpoints) {
    // A console still running it (a CLI beside this one) keeps it; one this process ended already has none to resume.
    if (isAlive(point.console)) continue;
    if (!held.has(point.buildId)) {
      removeCheckpoint(deps.dir, point.buildId);
      continue;
    }
    const key = `${point.host}\0${point.session}`;
    sessions.set(key, [...(sessions.get(key) ?? []), point]);
  }
  const noted = new Set([...sessions.values()].flat().map((point) => point.buildId));
  for (const id of held.keys()) if (!noted.has(id) && !damaged.includes(id)) end(id, 'there is no note of where it stood');
  for (const [key, points] of sessions) {
    const [host, session] = key.split('\0') as [string, string];
    let source: HelperSource;
    try {
      // An id noted but never sent (the console died between) must not be taken by a new call: numbering starts past them all.
      const firstId = Math.max(0, ...points.flatMap((point) => point.calls)) + 1;
      source = await deps.adopt(host, session, Math.min(...points.map((point) => point.seq)), firstId);
    } catch (error) {
      for (const point of points) end(point.buildId, `its helper on ${host} could not be reached again: ${(error as Error).message}`);
      continue;
    }
    // What a step said before it is no longer kept (a helper keeps its last 200,000 messages): its answers cannot be replayed.
    const oldest = (await source.get()).oldestKept ?? 1;
    for (const point of points) {
      if (point.seq + 1 < oldest) {
        end(point.buildId, `its helper on ${host} no longer holds what it said since step ${point.step + 1} began (it keeps its last 200,000 messages)`);
        lines.push(await release(source, point.buildId));
        continue;
      }
      try {
        carried.push(deps.carryOn(held.get(point.buildId)!, point, source));
      } catch (error) {
        end(point.buildId, (error as Error).message);
        // The session is this console's now: what the build holds on the host is released at once, not when the console ends.
        lines.push(await release(source, point.buildId));
      }
    }
  }
  return { carried, ended: lines };
}

async function release(source: HelperSource, id: string): Promise<string> {
  try {
    const { released, failed } = await callForJob(await source.get(), id, 'build.close', {}).result;
    return `build ${id}: released on its host (${[...released, ...failed.map((f) => `NOT released: ${f}`)].join('; ') || 'it held nothing'})`;
  } catch (error) {
    return `build ${id}: not released on its host (${(error as Error).message}); its helper releases it when this console closes its session`;
  }
}
