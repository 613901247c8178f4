import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SlipwayError, type BuildSummary, type FetchedFile } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import { outputRootProblem } from '../builds/output-root-check.js';
import { mockOutputRoots } from './mock-build-specs.js';

/** The mocked "Fetch artifacts": the real refusals, then each artifact's progress in quarters, a few hundred ms in all. */
export async function mockFetch(bus: EventBus, summary: BuildSummary, to: string): Promise<{ files: FetchedFile[] }> {
  if (summary.host === undefined) throw new SlipwayError('bad_request', `build ${summary.id} ran on this machine: its artifacts are here already`, 'id');
  if (summary.status !== 'succeeded') throw new SlipwayError('bad_request', `build ${summary.id} did not succeed (${summary.status}): it has no artifacts to fetch`, 'id');
  const outside = to.startsWith('/') ? outputRootProblem(to, mockOutputRoots) : { message: 'not an absolute path' };
  if (outside) throw new SlipwayError('bad_request', `${to} is ${outside.message}`, 'to');
  const files: FetchedFile[] = [];
  for (const artifact of summary.artifacts) {
    const name = basename(artifact.path);
    for (let quarter = 1; quarter <= 4; quarter += 1) {
      await sleep(60);
      bus.publish('builds.fetchProgress', { id: summary.id, file: name, done: Math.round((artifact.containerSize * quarter) / 4), total: artifact.containerSize });
    }
    files.push({ name, path: join(to, name), bytes: artifact.containerSize, resumedFrom: 0, sha256: artifact.containerSha256, present: false });
  }
  if (summary.metadataPath) {
    const name = basename(summary.metadataPath);
    files.push({ name, path: join(to, name), bytes: 2_048, resumedFrom: 0, sha256: null, present: false });
  }
  return { files };
}
