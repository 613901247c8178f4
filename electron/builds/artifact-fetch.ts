import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SlipwayError, type BuildDetail, type FetchedFile } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import { outputRootProblem } from './output-root-check.js';

export interface ArtifactFetchDeps {
  bus: EventBus;
  /** A build of the history (throws not_found). */
  get(id: string): BuildDetail;
  /** Where this machine lets artifacts be written. */
  outputRoots: readonly string[];
  /** A host's file appended to a local partial file from its size (the nodes capability's resumable SFTP read). */
  download(host: string, remote: string, local: string, onProgress: (done: number) => void): Promise<{ bytes: number; from: number }>;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

const sizeOf = (path: string) => stat(path).then((s) => s.size, () => null);

/** A file name the build recorded, as a name here: never a path, never hidden. */
function localName(path: string): string {
  const name = basename(path);
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name)) throw new SlipwayError('failed', `refused to fetch ${JSON.stringify(path)}: not a plain file name`);
  return name;
}

/**
 * "Fetch artifacts": a build host's artifacts copied here. Each goes to
 * `<name>.part` first and continues from that file's size (an interrupted
 * fetch resumes); it takes its name only once its sha256 is the build's
 * record of it. A partial file that does not add up is started over once.
 */
export function createArtifactFetch(deps: ArtifactFetchDeps) {
  const running = new Set<string>();

  async function fetchOne(id: string, host: string, remote: string, dir: string, expected: { size: number; sha256: string } | null): Promise<FetchedFile> {
    const name = localName(remote);
    const path = join(dir, name);
    const progress = (done: number) => deps.bus.publish('builds.fetchProgress', { id, file: name, done, total: expected?.size ?? done });
    if (expected && (await sizeOf(path)) === expected.size && (await sha256Of(path)) === expected.sha256) {
      progress(expected.size);
      return { name, path, bytes: expected.size, resumedFrom: expected.size, sha256: expected.sha256, present: true };
    }
    const part = `${path}.part`;
    // Longer than the artifact, or a metadata file (small, and nothing to check a resumed one by): started over.
    if (!expected || ((await sizeOf(part)) ?? 0) > expected.size) await rm(part, { force: true });
    let resumedFrom = 0;
    for (let attempt = 0; ; attempt += 1) {
      const { bytes, from } = await deps.download(host, remote, part, progress);
      if (attempt === 0) resumedFrom = from;
      const sha256 = expected ? await sha256Of(part) : null;
      if (!expected || (bytes === expected.size && sha256 === expected.sha256)) {
        await rename(part, path);
        return { name, path, bytes, resumedFrom, sha256, present: false };
      }
      await rm(part, { force: true });
      if (attempt > 0 || from === 0) throw new SlipwayError('failed', `${name} from ${host} does not match the build's record (sha256 ${sha256?.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…): removed, nothing kept`);
      // The partial file was not a beginning of this artifact: once more from nothing.
    }
  }

  return {
    async fetch(id: string, to: string): Promise<{ files: FetchedFile[] }> {
      const { summary } = deps.get(id);
      if (summary.host === undefined) throw new SlipwayError('bad_request', `build ${id} ran on this machine: its artifacts are here already (${summary.artifacts.map((a) => a.path).join(', ') || 'none'})`, 'id');
      if (summary.status !== 'succeeded') throw new SlipwayError('bad_request', `build ${id} did not succeed (${summary.status}): it has no artifacts to fetch`, 'id');
      if (!to.startsWith('/')) throw new SlipwayError('bad_request', 'the folder to fetch into must be an absolute path', 'to');
      const outside = outputRootProblem(to, deps.outputRoots);
      if (outside) throw new SlipwayError('bad_request', `${to} is ${outside.message}`, 'to');
      if (running.has(id)) throw new SlipwayError('busy', `artifacts of build ${id} are being fetched already`, 'id');
      running.add(id);
      try {
        const dir = resolve(to);
        await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
          throw new SlipwayError('bad_request', `${to} cannot be the folder to fetch into: ${error.code === 'EEXIST' ? 'it is a file, not a folder' : error.message}`, 'to');
        });
        const files: FetchedFile[] = [];
        for (const artifact of summary.artifacts) {
          files.push(await fetchOne(id, summary.host, artifact.path, dir, { size: artifact.containerSize, sha256: artifact.containerSha256 }));
        }
        // The metadata records every artifact's sums; it has none of its own to check it by.
        if (summary.metadataPath) files.push(await fetchOne(id, summary.host, summary.metadataPath, dir, null));
        return { files };
      } finally {
        running.delete(id);
      }
    },
  };
}
